//! The run as an SVG chart, four panels over time: prices (start = 100), collateral and debt,
//! bad debt, and liquidations per step. SVG needs no system libraries.
use crate::metrics::StepRecord;
use plotters::prelude::*;

const COLOURS: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
];

type Line = (String, Vec<(f64, f64)>);

fn panel(
    area: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    title: &str,
    y_desc: &str,
    hours: f64,
    lines: &[Line],
) -> Result<(), String> {
    let err = |e: &dyn std::fmt::Display| format!("plot: {e}");
    let (mut lo, mut hi) = (f64::MAX, f64::MIN);
    for (_, pts) in lines {
        for (_, y) in pts {
            lo = lo.min(*y);
            hi = hi.max(*y);
        }
    }
    if lo > hi {
        (lo, hi) = (0.0, 1.0);
    }
    let pad = ((hi - lo) * 0.05).max(1e-9);
    let y0 = if lo >= 0.0 {
        (lo - pad).max(0.0)
    } else {
        lo - pad
    };
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 18))
        .margin(8)
        .x_label_area_size(28)
        .y_label_area_size(70)
        .build_cartesian_2d(0f64..hours, y0..hi + pad)
        .map_err(|e| err(&e))?;
    chart
        .configure_mesh()
        .x_desc("hours")
        .y_desc(y_desc)
        .draw()
        .map_err(|e| err(&e))?;
    for (i, (name, pts)) in lines.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        chart
            .draw_series(LineSeries::new(pts.iter().copied(), colour.stroke_width(2)))
            .map_err(|e| err(&e))?
            .label(name.as_str())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], colour));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(|e| err(&e))?;
    Ok(())
}

/// The chart of `series` (markets named by `symbols`) as an SVG document.
pub fn svg(title: &str, symbols: &[String], series: &[StepRecord]) -> Result<String, String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (1100, 1400)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| format!("plot: {e}"))?;
        let root = root
            .titled(title, ("sans-serif", 24))
            .map_err(|e| format!("plot: {e}"))?;
        let areas = root.split_evenly((4, 1));
        let hours = |r: &StepRecord| r.time_secs as f64 / 3_600.0;
        let span = series.last().map(hours).unwrap_or(1.0).max(1e-9);
        let prices: Vec<Line> = symbols
            .iter()
            .enumerate()
            .map(|(m, s)| {
                let p0 = series[0].prices[m];
                (
                    s.clone(),
                    series
                        .iter()
                        .map(|r| (hours(r), r.prices[m] / p0 * 100.0))
                        .collect(),
                )
            })
            .collect();
        panel(&areas[0], "Prices (start = 100)", "index", span, &prices)?;
        let millions = |f: fn(&StepRecord) -> f64| -> Vec<(f64, f64)> {
            series.iter().map(|r| (hours(r), f(r) / 1e6)).collect()
        };
        panel(
            &areas[1],
            "Collateral and debt (USD millions)",
            "USD m",
            span,
            &[
                ("collateral".into(), millions(|r| r.collateral_usd)),
                ("debt".into(), millions(|r| r.debt_usd)),
            ],
        )?;
        let mut cumulative = 0.0;
        let bad_debt: Vec<(f64, f64)> = series
            .iter()
            .map(|r| {
                cumulative += r.bad_debt_covered_usd + r.bad_debt_socialised_usd;
                (hours(r), cumulative)
            })
            .collect();
        panel(
            &areas[2],
            "Bad debt (USD)",
            "USD",
            span,
            &[
                ("written off (cumulative)".into(), bad_debt),
                (
                    "open shortfall".into(),
                    series.iter().map(|r| (hours(r), r.shortfall_usd)).collect(),
                ),
                (
                    "insurance funds".into(),
                    series
                        .iter()
                        .map(|r| (hours(r), r.insurance_fund_usd))
                        .collect(),
                ),
            ],
        )?;
        panel(
            &areas[3],
            "Liquidations per step, accounts liquidatable",
            "count",
            span,
            &[
                (
                    "liquidations".into(),
                    series
                        .iter()
                        .map(|r| (hours(r), r.liquidations as f64))
                        .collect(),
                ),
                (
                    "liquidatable accounts".into(),
                    series
                        .iter()
                        .map(|r| (hours(r), r.liquidatable_accounts as f64))
                        .collect(),
                ),
            ],
        )?;
        root.present().map_err(|e| format!("plot: {e}"))?;
    }
    Ok(out)
}
