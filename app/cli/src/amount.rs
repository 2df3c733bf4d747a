//! Decimal amounts typed by people, converted to base units without rounding.
use crate::context::CliError;

/// What an amount argument asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Amount {
    /// Exactly this many base units.
    Units(u64),
    /// Everything (withdraw all, repay all).
    All,
}

/// Why decimal text is not a number of base units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecimalError {
    /// Not digits with at most one point.
    Invalid,
    /// More fractional digits than allowed (how many it has).
    TooPrecise(usize),
    /// Past u128.
    TooLarge,
}

/// `text` ("12.5", ".25", "1000") scaled by 10^`decimals`, exactly: more fractional digits than
/// `decimals` is an error, never a silent rounding.
pub fn scaled(text: &str, decimals: u8) -> Result<u128, DecimalError> {
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty() && frac.is_empty()
        || !whole
            .chars()
            .chain(frac.chars())
            .all(|c| c.is_ascii_digit())
    {
        return Err(DecimalError::Invalid);
    }
    if frac.len() > decimals as usize {
        return Err(DecimalError::TooPrecise(frac.len()));
    }
    let scale = 10u128
        .checked_pow(decimals as u32)
        .ok_or(DecimalError::TooLarge)?;
    let digits = |d: &str| match d.is_empty() {
        true => Ok(0u128),
        false => d.parse::<u128>().map_err(|_| DecimalError::TooLarge),
    };
    let padded = format!("{frac:0<width$}", width = decimals as usize);
    digits(whole)?
        .checked_mul(scale)
        .and_then(|w| w.checked_add(digits(&padded).ok()?))
        .ok_or(DecimalError::TooLarge)
}

/// Parse `text` ("12.5", "1000", or "all" when `all_allowed`) for a mint with `decimals`;
/// more fractional digits than the mint has is an error, never a silent rounding.
pub fn parse(text: &str, decimals: u8, all_allowed: bool) -> Result<Amount, CliError> {
    if all_allowed && text.eq_ignore_ascii_case("all") {
        return Ok(Amount::All);
    }
    let units = match scaled(text, decimals) {
        Ok(u) => u64::try_from(u).map_err(|_| DecimalError::TooLarge),
        Err(e) => Err(e),
    };
    match units {
        Ok(0) => Err(CliError(format!("amount '{text}' is zero"))),
        Ok(u) => Ok(Amount::Units(u)),
        Err(DecimalError::Invalid) => Err(CliError(format!("invalid amount '{text}'"))),
        Err(DecimalError::TooPrecise(n)) => Err(CliError(format!(
            "amount '{text}' has {n} decimals; this token has {decimals}"
        ))),
        Err(DecimalError::TooLarge) => Err(CliError(format!("amount '{text}' is too large"))),
    }
}

/// `units` of a mint with `decimals`, as a decimal string.
pub fn format(units: u64, decimals: u8) -> String {
    if decimals == 0 {
        return units.to_string();
    }
    let scale = 10u64.pow(decimals as u32);
    let frac = format!("{:0width$}", units % scale, width = decimals as usize);
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() {
        (units / scale).to_string()
    } else {
        format!("{}.{frac}", units / scale)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_refuses() {
        assert_eq!(parse("12.5", 6, false).unwrap(), Amount::Units(12_500_000));
        assert_eq!(parse("1", 9, false).unwrap(), Amount::Units(1_000_000_000));
        assert_eq!(parse(".25", 2, false).unwrap(), Amount::Units(25));
        assert_eq!(parse("all", 6, true).unwrap(), Amount::All);
        assert!(parse("all", 6, false).is_err());
        assert!(parse("1.0000001", 6, false)
            .unwrap_err()
            .0
            .contains("has 7 decimals"));
        assert!(parse("-1", 6, false).is_err());
        assert!(parse("1e3", 6, false).is_err());
        assert!(parse("0", 6, false).is_err());
        assert!(parse("99999999999999999999", 6, false).is_err());
        assert_eq!(format(12_500_000, 6), "12.5");
        assert_eq!(format(3, 0), "3");
    }
}
