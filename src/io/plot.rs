//! Line and point charts in SVG and PNG (plotters), for the learning-rate sweep (SPEC §7).
//!
//! Text is drawn by plotters' pure-Rust `ab_glyph` path with the bundled DejaVu Sans font
//! (`assets/fonts/`, Bitstream Vera licence), so no system font is needed. Both files are
//! written to a temporary name and renamed, so no half-written plot is left behind.

use crate::error::{Error, Result};
use crate::io::atomic::write_atomic;
use plotters::coord::Shift;
use plotters::coord::ranged1d::ValueFormatter;
use plotters::prelude::*;
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

/// How a series is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// Points joined by a solid line.
    Line,
    /// Points joined by a dashed line (reference curves such as 2/η).
    Dashed,
    /// Filled dots.
    Dots,
    /// Crosses (points flagged as not settled: diverged, unsettled, not certified).
    Crosses,
    /// Open rings, larger than dots, so that a certified value drawn over a float point of the
    /// same place leaves the float point visible inside it.
    Rings,
}

/// A data series, with optional vertical error bars (x, lo, hi) drawn with caps.
#[derive(Clone, Debug)]
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
    pub color: RGBColor,
    pub style: Style,
    pub bars: Vec<(f64, f64, f64)>,
}

impl Series {
    /// A series drawn in `style`, without error bars.
    pub fn new(
        name: impl Into<String>,
        points: Vec<(f64, f64)>,
        color: RGBColor,
        style: Style,
    ) -> Self {
        Series {
            name: name.into(),
            points,
            color,
            style,
            bars: Vec::new(),
        }
    }
    /// The same series with error bars (x, lo, hi).
    pub fn with_bars(mut self, bars: Vec<(f64, f64, f64)>) -> Self {
        self.bars = bars;
        self
    }
}

/// A labelled reference line: vertical at x = value, or horizontal at y = value.
#[derive(Clone, Debug)]
pub struct Mark {
    pub name: String,
    pub value: f64,
    pub color: RGBColor,
}

/// A chart: axes, series and reference lines. `log_x` draws a logarithmic x axis (ticks at the
/// values themselves); `y_range` fixes the y range instead of fitting every value (so a panel
/// shows the interesting part when some values are far away).
#[derive(Clone, Debug)]
pub struct Chart {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub log_x: bool,
    /// A logarithmic y axis (positive values only; for quantities spanning decades, such as a
    /// test loss).
    pub log_y: bool,
    pub y_range: Option<(f64, f64)>,
    pub series: Vec<Series>,
    pub vertical: Vec<Mark>,
    pub horizontal: Vec<Mark>,
}

impl Chart {
    /// An empty chart with linear axes fitted to its values.
    pub fn new(
        title: impl Into<String>,
        x_label: impl Into<String>,
        y_label: impl Into<String>,
    ) -> Self {
        Chart {
            title: title.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            log_x: false,
            log_y: false,
            y_range: None,
            series: Vec::new(),
            vertical: Vec::new(),
            horizontal: Vec::new(),
        }
    }
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
    let pad = if hi > lo {
        0.05 * (hi - lo)
    } else {
        0.5 * lo.abs().max(1.0)
    };
    (lo - pad, hi + pad)
}

/// The x range of a log axis: positive values only, padded by a factor.
fn log_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite() && *v > 0.0) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (0.1, 1.0);
    }
    if hi <= lo {
        return (lo / 2.0, hi * 2.0);
    }
    let pad = (hi / lo).powf(0.03);
    (lo / pad, hi * pad)
}

/// A tick label with three significant digits: plain decimals between 10⁻³ and 10⁴, else
/// scientific notation.
fn tick(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 {
        return "0".into();
    }
    if (1e-3..1e4).contains(&a) {
        let decimals = (2 - a.log10().floor() as i32).max(0) as usize;
        let t = format!("{v:.decimals$}");
        if t.contains('.') {
            t.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            t
        }
    } else {
        format!("{v:.2e}")
    }
}

/// The corner of the plotting area holding the fewest points, for the legend.
fn legend_corner(
    c: &Chart,
    (x0, x1): (f64, f64),
    (y0, y1): (f64, f64),
    log_x: bool,
) -> SeriesLabelPosition {
    let xm = if log_x {
        (x0 * x1).sqrt()
    } else {
        (x0 + x1) / 2.0
    };
    let ym = (y0 + y1) / 2.0;
    let mut count = [0usize; 4];
    for p in c.series.iter().flat_map(|s| s.points.iter()) {
        count[usize::from(p.0 > xm) + 2 * usize::from(p.1 > ym)] += 1;
    }
    let corners = [
        SeriesLabelPosition::LowerLeft,
        SeriesLabelPosition::LowerRight,
        SeriesLabelPosition::UpperLeft,
        SeriesLabelPosition::UpperRight,
    ];
    // Ties prefer the upper right, the customary place.
    let best = (0..4).rev().min_by_key(|&i| count[i]).unwrap_or(3);
    corners[best].clone()
}

// Print-size text: a 1200×800 figure shrunk to a column width still has readable labels.
const CAPTION: u32 = 30;
const LABEL: u32 = 22;
const LEGEND: u32 = 18;

fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    c: &Chart,
) -> std::result::Result<(), String>
where
    DB::ErrorType: 'static,
{
    let e = |x: DrawingAreaErrorKind<DB::ErrorType>| x.to_string();
    root.fill(&WHITE).map_err(e)?;
    let xs = || {
        c.series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.0))
            .chain(c.vertical.iter().map(|m| m.value))
    };
    let ys = || {
        c.series
            .iter()
            .flat_map(|s| {
                s.points
                    .iter()
                    .map(|p| p.1)
                    .chain(s.bars.iter().flat_map(|b| [b.1, b.2]))
            })
            .chain(c.horizontal.iter().map(|m| m.value))
    };
    let (y0, y1) = c.y_range.unwrap_or_else(|| {
        if c.log_y {
            log_range(ys())
        } else {
            range(ys())
        }
    });
    let mut builder = ChartBuilder::on(&root);
    builder
        .caption(&c.title, ("sans-serif", CAPTION))
        .margin(18)
        .x_label_area_size(60)
        .y_label_area_size(100);
    let (x0, x1) = if c.log_x {
        log_range(xs())
    } else {
        range(xs())
    };
    let (xr, yr) = ((x0, x1), (y0, y1));
    match (c.log_x, c.log_y) {
        (true, true) => {
            let ch = builder.build_cartesian_2d((x0..x1).log_scale(), (y0..y1).log_scale());
            mesh_and_plot(ch.map_err(e)?, c, xr, yr).map_err(e)?
        }
        (true, false) => {
            let ch = builder.build_cartesian_2d((x0..x1).log_scale(), y0..y1);
            mesh_and_plot(ch.map_err(e)?, c, xr, yr).map_err(e)?
        }
        (false, true) => {
            let ch = builder.build_cartesian_2d(x0..x1, (y0..y1).log_scale());
            mesh_and_plot(ch.map_err(e)?, c, xr, yr).map_err(e)?
        }
        (false, false) => {
            let ch = builder.build_cartesian_2d(x0..x1, y0..y1);
            mesh_and_plot(ch.map_err(e)?, c, xr, yr).map_err(e)?
        }
    }
    root.present().map_err(e)?;
    Ok(())
}

/// The mesh (log axes ticked at three significant digits) and then everything of [`plot_all`].
fn mesh_and_plot<'a, DB, X, Y>(
    mut ch: ChartContext<'a, DB, Cartesian2d<X, Y>>,
    c: &Chart,
    xr: (f64, f64),
    yr: (f64, f64),
) -> std::result::Result<(), DrawingAreaErrorKind<DB::ErrorType>>
where
    DB: DrawingBackend + 'a,
    DB::ErrorType: 'static,
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let mut mesh = ch.configure_mesh();
    mesh.x_desc(&c.x_label)
        .y_desc(&c.y_label)
        .label_style(("sans-serif", LABEL));
    let log_tick = |v: &f64| tick(*v);
    if c.log_x {
        mesh.x_labels(8).x_label_formatter(&log_tick);
    }
    if c.log_y {
        mesh.y_label_formatter(&log_tick);
    }
    mesh.draw()?;
    plot_all(&mut ch, c, xr, yr)
}

/// Draws the series, error bars, reference lines and legend on a chart of either x axis.
fn plot_all<'a, DB: DrawingBackend + 'a, X: Ranged<ValueType = f64>, Y: Ranged<ValueType = f64>>(
    ch: &mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
    c: &Chart,
    (x0, x1): (f64, f64),
    (y0, y1): (f64, f64),
) -> std::result::Result<(), DrawingAreaErrorKind<DB::ErrorType>>
where
    DB::ErrorType: 'static,
{
    let inside = |p: &(f64, f64)| {
        p.0.is_finite() && p.1.is_finite() && p.0 >= x0 && p.0 <= x1 && p.1 >= y0 && p.1 <= y1
    };
    for s in &c.series {
        let color = s.color;
        let pts: Vec<(f64, f64)> = s.points.iter().copied().filter(inside).collect();
        let anno = match s.style {
            Style::Line => ch.draw_series(LineSeries::new(pts, color.stroke_width(3)))?,
            Style::Dashed => {
                ch.draw_series(DashedLineSeries::new(pts, 10, 6, color.stroke_width(2)))?
            }
            Style::Dots => {
                ch.draw_series(pts.into_iter().map(|p| Circle::new(p, 4, color.filled())))?
            }
            Style::Rings => ch.draw_series(
                pts.into_iter()
                    .map(|p| Circle::new(p, 8, color.stroke_width(2))),
            )?,
            Style::Crosses => ch.draw_series(
                pts.into_iter()
                    .map(|p| Cross::new(p, 6, color.stroke_width(2))),
            )?,
        };
        anno.label(s.name.clone()).legend(move |(x, y)| {
            PathElement::new(vec![(x, y), (x + 24, y)], color.stroke_width(3))
        });
        let bars = s
            .bars
            .iter()
            .filter(|b| {
                b.0.is_finite() && b.1.is_finite() && b.2.is_finite() && b.0 >= x0 && b.0 <= x1
            })
            .map(|&(x, lo, hi)| {
                ErrorBar::new_vertical(
                    x,
                    lo.max(y0),
                    ((lo + hi) / 2.0).clamp(y0, y1),
                    hi.min(y1),
                    color.stroke_width(2),
                    10,
                )
            });
        ch.draw_series(bars)?;
    }
    for m in &c.vertical {
        let color = m.color;
        ch.draw_series(DashedLineSeries::new(
            vec![(m.value, y0), (m.value, y1)],
            8,
            5,
            color.stroke_width(2),
        ))?
        .label(m.name.clone())
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], color.stroke_width(2)));
    }
    for m in &c.horizontal {
        let color = m.color;
        // A reference value outside the panel keeps its legend entry (whose name says where it
        // is) but draws no line along the border.
        let line = if (y0..=y1).contains(&m.value) {
            vec![(x0, m.value), (x1, m.value)]
        } else {
            Vec::new()
        };
        ch.draw_series(DashedLineSeries::new(line, 8, 5, color.stroke_width(2)))?
            .label(m.name.clone())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 24, y)], color.stroke_width(2))
            });
    }
    ch.configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", LEGEND))
        .position(legend_corner(c, (x0, x1), (y0, y1), c.log_x))
        .draw()?;
    Ok(())
}

const SIZE: (u32, u32) = (1200, 800);

/// Writes `stem.svg` and `stem.png` in `dir`.
pub fn render(c: &Chart, dir: &Path, stem: &str) -> Result<()> {
    register();
    let svg_path = dir.join(format!("{stem}.svg"));
    let mut svg = String::new();
    draw(
        SVGBackend::with_string(&mut svg, SIZE).into_drawing_area(),
        c,
    )
    .map_err(|r| Error::Output {
        file: svg_path.display().to_string(),
        reason: r,
    })?;
    write_atomic(&svg_path, svg.as_bytes())?;
    let png_path = dir.join(format!("{stem}.png"));
    let mut rgb = vec![0u8; SIZE.0 as usize * SIZE.1 as usize * 3];
    let result = draw(
        BitMapBackend::with_buffer(&mut rgb, SIZE).into_drawing_area(),
        c,
    )
    .and_then(|()| encode_png(&rgb, SIZE).map_err(|e| e.to_string()));
    match result {
        Ok(bytes) => write_atomic(&png_path, &bytes),
        Err(reason) => Err(Error::Output {
            file: png_path.display().to_string(),
            reason,
        }),
    }
}

/// An 8-bit RGB image of size `(w, h)` as PNG bytes.
fn encode_png(rgb: &[u8], (w, h): (u32, u32)) -> std::result::Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(rgb)?;
    writer.finish()?;
    Ok(out)
}
