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

/// Parse `text` ("12.5", "1000", or "all" when `all_allowed`) for a mint with `decimals`;
/// more fractional digits than the mint has is an error, never a silent rounding.
pub fn parse(text: &str, decimals: u8, all_allowed: bool) -> Result<Amount, CliError> {
    if all_allowed && text.eq_ignore_ascii_case("all") {
        return Ok(Amount::All);
    }
    let bad = || CliError(format!("invalid amount '{text}'"));
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty() && frac.is_empty()
        || !whole
            .chars()
            .chain(frac.chars())
            .all(|c| c.is_ascii_digit())
    {
        return Err(bad());
    }
    if frac.len() > decimals as usize {
        return Err(CliError(format!(
            "amount '{text}' has {} decimals; this token has {decimals}",
            frac.len()
        )));
    }
    let scale = 10u64.checked_pow(decimals as u32).ok_or_else(bad)?;
    let whole: u64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| bad())?
    };
    let padded = format!("{frac:0<width$}", width = decimals as usize);
    let frac: u64 = if padded.is_empty() {
        0
    } else {
        padded.parse().map_err(|_| bad())?
    };
    let units = whole
        .checked_mul(scale)
        .and_then(|w| w.checked_add(frac))
        .ok_or_else(|| CliError(format!("amount '{text}' is too large")))?;
    if units == 0 {
        return Err(CliError(format!("amount '{text}' is zero")));
    }
    Ok(Amount::Units(units))
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
