//! Line and point charts in SVG and PNG (plotters), for the learning-rate sweep (SPEC §7).
//!
//! Text is drawn by plotters' pure-Rust `ab_glyph` path with the bundled DejaVu Sans font
//! (`assets/fonts/`, Bitstream Vera licence), so no system font is needed. Both files are
//! written to a temporary name and renamed, so no half-written plot is left behind.

use crate::io::claims::write_atomic;
use crate::error::{Error, Result};
use plotters::prelude::*;
use plotters::coord::Shift;
use std::path::Path;

static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static REGISTER: std::sync::Once = std::sync::Once::new();

/// Registers the bundled font as "sans-serif" (once per process).
fn register() {
    REGISTER.call_once(|| {
        // The bundled bytes are a valid TrueType file; a failure would only lose the labels.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, FONT);
    });
}

/// A data series: joined by a line, or drawn as dots.
#[derive(Clone, Debug)]
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
    pub color: RGBColor,
    pub line: bool,
}

/// A labelled reference line: vertical at x = value, or horizontal at y = value.
#[derive(Clone, Debug)]
pub struct Mark {
    pub name: String,
    pub value: f64,
    pub color: RGBColor,
}

/// A chart: axes, series and reference lines.
#[derive(Clone, Debug)]
pub struct Chart {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub series: Vec<Series>,
    pub vertical: Vec<Mark>,
    pub horizontal: Vec<Mark>,
}

fn range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let pad = if hi > lo { 0.05 * (hi - lo) } else { 0.5 * lo.abs().max(1.0) };
    (lo - pad, hi + pad)
}

fn draw<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, c: &Chart) -> std::result::Result<(), String>
where
    DB::ErrorType: 'static,
{
    let e = |x: DrawingAreaErrorKind<DB::ErrorType>| x.to_string();
    root.fill(&WHITE).map_err(e)?;
    let (x0, x1) = range(c.series.iter().flat_map(|s| s.points.iter().map(|p| p.0)).chain(c.vertical.iter().map(|m| m.value)));
    let (y0, y1) = range(c.series.iter().flat_map(|s| s.points.iter().map(|p| p.1)).chain(c.horizontal.iter().map(|m| m.value)));
    let mut ch = ChartBuilder::on(&root)
        .caption(&c.title, ("sans-serif", 22))
        .margin(14)
        .x_label_area_size(45)
        .y_label_area_size(80)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(e)?;
    ch.configure_mesh().x_desc(&c.x_label).y_desc(&c.y_label).label_style(("sans-serif", 14)).draw().map_err(e)?;
    for s in &c.series {
        let color = s.color;
        let pts: Vec<(f64, f64)> = s.points.iter().copied().filter(|p| p.0.is_finite() && p.1.is_finite() && p.1 >= y0 && p.1 <= y1).collect();
        let anno = if s.line {
            ch.draw_series(LineSeries::new(pts, color.stroke_width(2))).map_err(e)?
        } else {
            ch.draw_series(pts.into_iter().map(|p| Circle::new(p, 3, color.filled()))).map_err(e)?
        };
        anno.label(s.name.clone()).legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(3)));
    }
    for m in &c.vertical {
        let color = m.color;
        ch.draw_series(DashedLineSeries::new(vec![(m.value, y0), (m.value, y1)], 6, 4, color.stroke_width(1)))
            .map_err(e)?
            .label(m.name.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(1)));
    }
    for m in &c.horizontal {
        let color = m.color;
        ch.draw_series(DashedLineSeries::new(vec![(x0, m.value), (x1, m.value)], 6, 4, color.stroke_width(1)))
            .map_err(e)?
            .label(m.name.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(1)));
    }
    ch.configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 13))
        .position(SeriesLabelPosition::UpperRight)
        .draw()
        .map_err(e)?;
    root.present().map_err(e)?;
    Ok(())
}

const SIZE: (u32, u32) = (900, 600);

/// Writes `stem.svg` and `stem.png` in `dir`.
pub fn render(c: &Chart, dir: &Path, stem: &str) -> Result<()> {
    register();
    let svg_path = dir.join(format!("{stem}.svg"));
    let mut svg = String::new();
    draw(SVGBackend::with_string(&mut svg, SIZE).into_drawing_area(), c).map_err(|r| Error::Output { file: svg_path.display().to_string(), reason: r })?;
    write_atomic(&svg_path, svg.as_bytes())?;
    let png_path = dir.join(format!("{stem}.png"));
    let tmp = dir.join(format!(".{stem}.tmp{}.png", std::process::id()));
    // Rendered to a scratch file, then written like every other output (write_atomic: a
    // target that is not a regular file is never replaced).
    let result = draw(BitMapBackend::new(&tmp, SIZE).into_drawing_area(), c).and_then(|()| std::fs::read(&tmp).map_err(|e| e.to_string()));
    let _ = std::fs::remove_file(&tmp);
    match result {
        Ok(bytes) => write_atomic(&png_path, &bytes),
        Err(reason) => Err(Error::Output { file: png_path.display().to_string(), reason }),
    }
}
