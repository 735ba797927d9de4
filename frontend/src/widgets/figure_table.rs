//! The table a page compares its parts in: one column per part (strategy, mode), one row
//! per figure, and a row of bars drawn to one scale. [`figure_rows`] and [`scaled_bars`]
//! make the rows; the page makes the table around them and its column headers.
//!
//! Plain functions over any column type, so one table shape serves every page.
//! May use [`super::numbers`].

use yew::prelude::*;

use super::numbers::{format_ms, percent};

/// A row: its label, and the figure it shows for one column.
pub type Figure<T> = (&'static str, fn(&T) -> String);

/// One `<tr>` per figure, a cell per column.
pub fn figure_rows<T>(figures: &[Figure<T>], columns: &[T]) -> Html {
    let rows = figures.iter().map(|(label, value)| {
        html! {
            <tr>
                <th scope="row">{ *label }</th>
                { for columns.iter().map(|c| html! { <td>{ value(c) }</td> }) }
            </tr>
        }
    });
    rows.collect()
}

/// The row of bars labelled `label`: each column's `micros(column)` as a bar whose width is
/// its share of the largest, with the duration written on it.
pub fn scaled_bars<T>(label: &'static str, columns: &[T], micros: fn(&T) -> u64) -> Html {
    let largest = columns.iter().map(micros).max().unwrap_or(1).max(1);
    let bars = columns.iter().map(|c| {
        let us = micros(c);
        html! {
            <td>
                <div class="ping-bar" style={format!("width: {:.1}%", percent(us, largest))}>
                    { format_ms(us) }
                </div>
            </td>
        }
    });
    html! {
        <tr class="ping-bars"><th scope="row">{ label }</th>{ for bars }</tr>
    }
}
