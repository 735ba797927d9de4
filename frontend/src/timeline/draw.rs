//! Painting a [`Scene`] on a 2D canvas.
//!
//! The rectangles of the paints below [`Paint::Future`] (row backgrounds, park shading,
//! poll bars, buckets, spans, wake ticks) and the vertical lines among them (grid, wake
//! arrows) are filled into a pixel buffer in Rust, row by row with `copy_within` (which
//! the standard library does at memcpy speed), and handed to the canvas with one
//! `putImageData`. The rest (arrow heads, the dimmed future, the cursor, outlines, the
//! axis and the texts) is drawn with canvas calls on top. A frame therefore costs about
//! the same with a thousand bars as with ten thousand: the canvas never rasterises them
//! one by one. Colours in the buffer are opaque, pre-blended over the theme's canvas
//! background; the theme is passed in with each paint (the shell publishes it once per
//! change, see [`crate::theme`]), so a switch costs one repaint and no lookups per frame.
//! Hatched paints (Pending) fill alternate diagonal stripes with a shade of their colour
//! toward the ink, still by row copies: a 4-pixel pattern, doubled.

use std::cell::RefCell;

use wasm_bindgen::Clamped;
use web_sys::{CanvasRenderingContext2d, ImageData};

use super::palette;
use super::scene::{Paint, Scene};
use crate::theme::Theme;

pub const FONT: &str = "12px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";

/// An RGBA pixel buffer.
#[derive(Debug, Default)]
pub struct Raster {
    pub width: usize,
    pub height: usize,
    pub bytes: Vec<u8>,
}

impl Raster {
    /// Size it and paint it `bg`.
    pub fn reset(&mut self, width: usize, height: usize, bg: [u8; 4]) {
        self.width = width;
        self.height = height;
        self.bytes.clear();
        self.bytes.resize(width * height * 4, 255);
        self.fill(0.0, 0.0, width as f64, height as f64, bg);
    }

    /// A rectangle rounded to whole pixels and clipped to the buffer: x0, x1, y0, y1;
    /// None if nothing is left.
    fn clip(&self, x: f64, y: f64, w: f64, h: f64) -> Option<(usize, usize, usize, usize)> {
        let clamp = |v: f64, max: usize| (v.round().max(0.0) as usize).min(max);
        let (x0, x1) = (clamp(x, self.width), clamp(x + w, self.width));
        let (y0, y1) = (clamp(y, self.height), clamp(y + h, self.height));
        (x1 > x0 && y1 > y0).then_some((x0, x1, y0, y1))
    }

    /// Repeat the `filled` bytes from `start` until `len` bytes are filled, doubling.
    fn repeat(&mut self, start: usize, mut filled: usize, len: usize) {
        while filled < len {
            let n = filled.min(len - filled);
            self.bytes.copy_within(start..start + n, start + filled);
            filled += n;
        }
    }

    /// Fill a rectangle with diagonal stripes, two pixels of `rgba` and two of `stripe`,
    /// anchored to the buffer so touching bars line up.
    pub fn hatch(&mut self, x: f64, y: f64, w: f64, h: f64, rgba: [u8; 4], stripe: [u8; 4]) {
        let Some((x0, x1, y0, y1)) = self.clip(x, y, w, h) else {
            return;
        };
        let stride = self.width * 4;
        let len = (x1 - x0) * 4;
        for row in y0..y1 {
            let start = row * stride + x0 * 4;
            // The first four pixels set the phase; the row is copies of them.
            for k in 0..4.min(x1 - x0) {
                let on = (x0 + k + row) % 4 < 2;
                self.bytes[start + k * 4..start + k * 4 + 4].copy_from_slice(if on {
                    &rgba
                } else {
                    &stripe
                });
            }
            self.repeat(start, 16.min(len), len);
        }
    }

    /// Fill the pixels of a rectangle (device pixels; rounded and clipped).
    pub fn fill(&mut self, x: f64, y: f64, w: f64, h: f64, rgba: [u8; 4]) {
        let Some((x0, x1, y0, y1)) = self.clip(x, y, w, h) else {
            return;
        };
        let stride = self.width * 4;
        let start = y0 * stride + x0 * 4;
        let len = (x1 - x0) * 4;
        // The first row: one pixel, then doubling copies.
        self.bytes[start..start + 4].copy_from_slice(&rgba);
        self.repeat(start, 4, len);
        // The other rows: copies of the first.
        for row in y0 + 1..y1 {
            let to = row * stride + x0 * 4;
            self.bytes.copy_within(start..start + len, to);
        }
    }
}

thread_local! {
    /// One buffer for every timeline on the page: painting is one at a time.
    static RASTER: RefCell<Raster> = RefCell::default();
}

/// Fill the buffer with what goes under the canvas-drawn shapes.
pub fn rasterise(raster: &mut Raster, scene: &Scene, dpr: f64, theme: Theme) {
    let (w, h) = (
        (scene.width * dpr).round() as usize,
        (scene.height * dpr).round() as usize,
    );
    let bg = palette::background(theme);
    raster.reset(w, h, palette::over(bg, bg));
    let ink = Paint::Text.rgba(theme);
    for paint in Paint::ALL {
        if paint as u8 >= Paint::Future as u8 {
            break;
        }
        let layer = &scene.layers[paint as usize];
        let rgba = paint.rgba(theme);
        if paint.hatched() {
            let stripe = palette::mix(rgba, ink, 0.45);
            for &[x, y, w, h] in &layer.rects {
                raster.hatch(x * dpr, y * dpr, w * dpr, h * dpr, rgba, stripe);
            }
        } else {
            for &[x, y, w, h] in &layer.rects {
                raster.fill(x * dpr, y * dpr, w * dpr, h * dpr, rgba);
            }
        }
        let lw = paint.line_width() * dpr;
        for &[x0, y0, x1, y1] in &layer.lines {
            if x0 == x1 {
                let (top, bottom) = (y0.min(y1), y0.max(y1));
                let x = (x0 * dpr - lw / 2.0).round();
                raster.fill(x, top * dpr, lw.max(1.0), (bottom - top) * dpr, rgba);
            }
        }
    }
}

/// Paint `scene` on `ctx`, whose canvas is `dpr` device pixels per CSS pixel, in `theme`.
pub fn paint(ctx: &CanvasRenderingContext2d, scene: &Scene, dpr: f64, theme: Theme) {
    RASTER.with(|raster| {
        let mut raster = raster.borrow_mut();
        rasterise(&mut raster, scene, dpr, theme);
        if let Ok(image) = ImageData::new_with_u8_clamped_array_and_sh(
            Clamped(&raster.bytes),
            raster.width as u32,
            raster.height as u32,
        ) {
            let _ = ctx.put_image_data(&image, 0.0, 0.0);
        }
    });
    let _ = ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0);
    for paint in Paint::ALL {
        let layer = &scene.layers[paint as usize];
        let color = paint.color(theme);
        let in_buffer = (paint as u8) < Paint::Future as u8;
        if !in_buffer && !layer.rects.is_empty() {
            ctx.set_fill_style_str(color);
            for &[x, y, w, h] in &layer.rects {
                ctx.fill_rect(x, y, w, h);
            }
        }
        if !layer.tris.is_empty() {
            ctx.set_fill_style_str(color);
            ctx.begin_path();
            for &[x0, y0, x1, y1, x2, y2] in &layer.tris {
                ctx.move_to(x0, y0);
                ctx.line_to(x1, y1);
                ctx.line_to(x2, y2);
                ctx.close_path();
            }
            ctx.fill();
        }
        let lines = layer.lines.iter().filter(|l| !in_buffer || l[0] != l[2]);
        let mut lines = lines.peekable();
        if lines.peek().is_some() || !layer.outlines.is_empty() {
            ctx.set_stroke_style_str(color);
            ctx.set_line_width(paint.line_width());
            ctx.begin_path();
            for &[x0, y0, x1, y1] in lines {
                ctx.move_to(x0, y0);
                ctx.line_to(x1, y1);
            }
            for &[x, y, w, h] in &layer.outlines {
                ctx.rect(x, y, w, h);
            }
            ctx.stroke();
        }
    }
    ctx.set_font(FONT);
    ctx.set_text_baseline("middle");
    let mut current: Option<(Paint, bool)> = None;
    for text in &scene.texts {
        if current != Some((text.paint, text.centered)) {
            ctx.set_fill_style_str(text.paint.color(theme));
            ctx.set_text_align(if text.centered { "center" } else { "left" });
            current = Some((text.paint, text.centered));
        }
        let _ = ctx.fill_text(&text.text, text.x, text.y);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_clipped_rectangles() {
        let mut r = Raster::default();
        r.reset(4, 3, [255, 255, 255, 255]);
        r.fill(1.0, 1.0, 10.0, 5.0, [1, 2, 3, 255]);
        let px = |x: usize, y: usize| &r.bytes[(y * 4 + x) * 4..(y * 4 + x) * 4 + 4];
        assert_eq!(px(0, 1), [255, 255, 255, 255]);
        assert_eq!(px(1, 1), [1, 2, 3, 255]);
        assert_eq!(px(3, 2), [1, 2, 3, 255]);
        assert_eq!(px(3, 0), [255, 255, 255, 255]);
        r.fill(-5.0, -5.0, 1.0, 1.0, [9, 9, 9, 255]);
        assert!(r.bytes.iter().all(|&b| b != 9));
    }

    #[test]
    fn hatches_in_diagonal_stripes_and_starts_from_the_background() {
        let mut r = Raster::default();
        r.reset(12, 3, [7, 7, 7, 255]);
        assert!(r.bytes.chunks(4).all(|p| p == [7, 7, 7, 255]));
        let (a, b) = ([1, 1, 1, 255], [2, 2, 2, 255]);
        r.hatch(1.0, 0.0, 10.0, 3.0, a, b);
        let px =
            |x: usize, y: usize| <[u8; 4]>::try_from(&r.bytes[(y * 12 + x) * 4..][..4]).unwrap();
        for y in 0..3 {
            for x in 1..11 {
                let want = if (x + y) % 4 < 2 { a } else { b };
                assert_eq!(px(x, y), want, "({x}, {y})");
            }
            assert_eq!(px(0, y), [7, 7, 7, 255]);
            assert_eq!(px(11, y), [7, 7, 7, 255]);
        }
    }
}
