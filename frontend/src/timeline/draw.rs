//! Painting a [`Scene`] on a 2D canvas.
//!
//! The rectangles of the paints below [`Paint::Future`] (row backgrounds, park shading,
//! poll bars, buckets, spans, wake ticks) and the vertical lines among them (grid, wake
//! arrows) are filled into a pixel buffer in Rust, row by row with `copy_within` (which
//! the standard library does at memcpy speed), and handed to the canvas with one
//! `putImageData`. The rest (arrow heads, the dimmed future, the cursor, outlines, the
//! axis and the texts) is drawn with canvas calls on top. A frame therefore costs about
//! the same with a thousand bars as with ten thousand: the canvas never rasterises them
//! one by one. Colours in the buffer are opaque, pre-blended over white.

use std::cell::RefCell;

use wasm_bindgen::Clamped;
use web_sys::{CanvasRenderingContext2d, ImageData};

use super::scene::{Paint, Scene};

pub const FONT: &str = "12px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";

/// An RGBA pixel buffer.
#[derive(Debug, Default)]
pub struct Raster {
    pub width: usize,
    pub height: usize,
    pub bytes: Vec<u8>,
}

impl Raster {
    /// Size it and paint it white.
    pub fn reset(&mut self, width: usize, height: usize) {
        self.width = width;
        self.height = height;
        self.bytes.clear();
        self.bytes.resize(width * height * 4, 255);
    }

    /// Fill the pixels of a rectangle (device pixels; rounded and clipped).
    pub fn fill(&mut self, x: f64, y: f64, w: f64, h: f64, rgba: [u8; 4]) {
        let clamp = |v: f64, max: usize| (v.round().max(0.0) as usize).min(max);
        let (x0, x1) = (clamp(x, self.width), clamp(x + w, self.width));
        let (y0, y1) = (clamp(y, self.height), clamp(y + h, self.height));
        if x1 <= x0 || y1 <= y0 {
            return;
        }
        let stride = self.width * 4;
        let start = y0 * stride + x0 * 4;
        let len = (x1 - x0) * 4;
        // The first row: one pixel, then doubling copies.
        self.bytes[start..start + 4].copy_from_slice(&rgba);
        let mut filled = 4;
        while filled < len {
            let n = filled.min(len - filled);
            self.bytes.copy_within(start..start + n, start + filled);
            filled += n;
        }
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
pub fn rasterise(raster: &mut Raster, scene: &Scene, dpr: f64) {
    let (w, h) = (
        (scene.width * dpr).round() as usize,
        (scene.height * dpr).round() as usize,
    );
    raster.reset(w, h);
    for paint in Paint::ALL {
        if paint as u8 >= Paint::Future as u8 {
            break;
        }
        let layer = &scene.layers[paint as usize];
        let rgba = paint.rgba_on_white();
        for &[x, y, w, h] in &layer.rects {
            raster.fill(x * dpr, y * dpr, w * dpr, h * dpr, rgba);
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

/// Paint `scene` on `ctx`, whose canvas is `dpr` device pixels per CSS pixel.
pub fn paint(ctx: &CanvasRenderingContext2d, scene: &Scene, dpr: f64) {
    RASTER.with(|raster| {
        let mut raster = raster.borrow_mut();
        rasterise(&mut raster, scene, dpr);
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
        let color = paint.color();
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
            ctx.set_fill_style_str(text.paint.color());
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
        r.reset(4, 3);
        r.fill(1.0, 1.0, 10.0, 5.0, [1, 2, 3, 255]);
        let px = |x: usize, y: usize| &r.bytes[(y * 4 + x) * 4..(y * 4 + x) * 4 + 4];
        assert_eq!(px(0, 1), [255, 255, 255, 255]);
        assert_eq!(px(1, 1), [1, 2, 3, 255]);
        assert_eq!(px(3, 2), [1, 2, 3, 255]);
        assert_eq!(px(3, 0), [255, 255, 255, 255]);
        r.fill(-5.0, -5.0, 1.0, 1.0, [9, 9, 9, 255]);
        assert!(r.bytes.iter().all(|&b| b != 9));
    }
}
