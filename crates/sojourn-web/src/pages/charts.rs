//! Bar charts drawn on the server as SVG: no charting library, no script,
//! and they print. Colours come from the style sheet (classes), so the
//! print style can change them.

use std::fmt::Write;

/// One series of a grouped bar chart.
pub(crate) struct Series<'a> {
    pub label: &'a str,
    /// CSS class of its bars (`bar-in`, `bar-out`).
    pub class: &'a str,
    pub values: &'a [u64],
}

const WIDTH: f64 = 960.0;
const HEIGHT: f64 = 280.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 28.0;
const BOTTOM: f64 = 36.0;

/// Escapes text for SVG content and attributes.
fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A round upper bound for the axis: 1, 2 or 5 times a power of ten.
fn nice_max(max: u64) -> u64 {
    let mut step = 1;
    loop {
        for factor in [1, 2, 5] {
            if step * factor >= max.max(1) {
                return step * factor;
            }
        }
        step *= 10;
    }
}

/// Vertical bars, one group per category, one bar per series, with a value
/// axis, a legend and a tooltip (`<title>`) on every bar.
pub(crate) fn grouped_bars(title: &str, categories: &[String], series: &[Series]) -> String {
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .max()
        .unwrap_or(0);
    let top = nice_max(max) as f64;
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let group = plot_w / categories.len().max(1) as f64;
    let bar = group * 0.8 / series.len().max(1) as f64;
    let mut svg = open(title, WIDTH, HEIGHT);
    value_axis(&mut svg, top, plot_h);
    for (i, category) in categories.iter().enumerate() {
        let x0 = LEFT + group * i as f64 + group * 0.1;
        for (j, s) in series.iter().enumerate() {
            let value = s.values.get(i).copied().unwrap_or(0);
            let h = plot_h * value as f64 / top;
            let _ = write!(
                svg,
                r#"<rect class="{}" x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}"><title>{} {}: {}</title></rect>"#,
                esc(s.class),
                x0 + bar * j as f64,
                TOP + plot_h - h,
                bar.max(1.0),
                h,
                esc(category),
                esc(s.label),
                value
            );
        }
        if i % 3 == categories.len().saturating_sub(1) % 3 {
            let _ = write!(
                svg,
                r#"<text class="axis" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                x0 + group * 0.4,
                HEIGHT - BOTTOM + 16.0,
                esc(category)
            );
        }
    }
    legend(&mut svg, series);
    svg.push_str("</svg>");
    svg
}

fn open(title: &str, width: f64, height: f64) -> String {
    format!(
        r#"<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{t}" preserveAspectRatio="xMidYMid meet"><title>{t}</title>"#,
        t = esc(title)
    )
}

/// Gridlines at whole numbers: 1 or 2 steps for a top of 1 or 2, else 5
/// (every round top of [`nice_max`] divides by 5).
fn value_axis(svg: &mut String, top: f64, plot_h: f64) {
    let steps: u32 = if top <= 2.0 { top as u32 } else { 5 };
    for step in 0..=steps {
        let share = f64::from(step) / f64::from(steps);
        let value = top * share;
        let y = TOP + plot_h - plot_h * share;
        let _ = write!(
            svg,
            r#"<line class="grid" x1="{LEFT}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}"/><text class="axis" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            WIDTH - RIGHT,
            LEFT - 6.0,
            y + 4.0,
            value.round()
        );
    }
}

fn legend(svg: &mut String, series: &[Series]) {
    let mut x = WIDTH - RIGHT - 120.0 * series.len() as f64;
    for s in series {
        let _ = write!(
            svg,
            r#"<rect class="{}" x="{x:.1}" y="6" width="14" height="14"/><text class="legend" x="{:.1}" y="18">{}</text>"#,
            esc(s.class),
            x + 20.0,
            esc(s.label)
        );
        x += 120.0;
    }
}

/// Horizontal bars, one per row, with the label left and the value at the
/// end of the bar.
pub(crate) fn horizontal_bars(title: &str, rows: &[(String, u64)]) -> String {
    const ROW: f64 = 24.0;
    const LABEL: f64 = 120.0;
    const NARROW: f64 = 440.0;
    let height = ROW * rows.len().max(1) as f64 + 8.0;
    let max = rows.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1) as f64;
    let plot_w = NARROW - LABEL - 50.0;
    let mut svg = open(title, NARROW, height);
    for (i, (label, value)) in rows.iter().enumerate() {
        let y = 4.0 + ROW * i as f64;
        let w = (plot_w * *value as f64 / max).max(1.0);
        let _ = write!(
            svg,
            r#"<text class="axis label" x="{:.1}" y="{:.1}" text-anchor="end">{}</text><rect class="bar-origin" x="{LABEL}" y="{:.1}" width="{w:.1}" height="{:.1}"><title>{}: {}</title></rect><text class="axis" x="{:.1}" y="{:.1}">{}</text>"#,
            LABEL - 8.0,
            y + ROW * 0.65,
            esc(label),
            y + 3.0,
            ROW - 6.0,
            esc(label),
            value,
            LABEL + w + 6.0,
            y + ROW * 0.65,
            value
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_tops_are_round() {
        assert_eq!(nice_max(0), 1);
        assert_eq!(nice_max(7), 10);
        assert_eq!(nice_max(12), 20);
        assert_eq!(nice_max(480), 500);
        assert_eq!(nice_max(501), 1000);
    }

    #[test]
    fn bars_are_drawn_with_escaped_labels() {
        let months = vec!["2026-01".to_owned(), "2026-02".to_owned()];
        let svg = grouped_bars(
            "in & out",
            &months,
            &[Series {
                label: "<in>",
                class: "bar-in",
                values: &[3, 5],
            }],
        );
        assert!(svg.starts_with("<svg"));
        assert_eq!(svg.matches("<rect class=\"bar-in\" x=").count(), 3);
        assert!(svg.contains("in &amp; out") && svg.contains("&lt;in&gt;"));
        let rows = horizontal_bars("t", &[("河南省".to_owned(), 4)]);
        assert!(rows.contains("河南省: 4"));
    }
}
