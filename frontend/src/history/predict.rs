//! Predict, then run: the learner's guess of a headline number before a run, and after it
//! the measured value beside the guess with the error. Pure functions (no Yew here): how
//! a typed guess becomes a value in the headline's unit, and the sentence that compares
//! it with what was measured — quoting both exactly as the table beside it prints them.

use pollscope_shared::results::{Headline, Unit};

use super::compare::{times_text, value_text};
use crate::state::Guesses;

/// The unit the learner types a guess in (milliseconds for a time).
pub fn input_unit(unit: Unit) -> &'static str {
    match unit {
        Unit::Micros => "ms",
        Unit::NanosPerItem => "ns per item",
        Unit::Bytes => "bytes",
        Unit::Count => "",
    }
}

/// The largest guess taken: far above anything a bounded run measures.
const MAX_GUESS: f64 = 1e12;

/// A typed guess as a value in the headline's unit: "32.5" (ms) → 32 500 µs. Empty,
/// negative, non-numeric or absurd input is no guess.
pub fn parse_guess(unit: Unit, text: &str) -> Option<u64> {
    let typed: f64 = text.trim().parse().ok()?;
    let scale = if unit == Unit::Micros { 1000.0 } else { 1.0 };
    let value = (typed * scale).round();
    (value.is_finite() && (0.0..=MAX_GUESS).contains(&value)).then_some(value as u64)
}

/// A guess as the learner typed it, back in the input's unit ("32.5").
pub fn guess_text_in_input_unit(unit: Unit, value: u64) -> String {
    match unit {
        Unit::Micros => {
            let ms = value as f64 / 1000.0;
            let text = format!("{ms:.3}");
            text.trim_end_matches('0').trim_end_matches('.').to_owned()
        }
        _ => value.to_string(),
    }
}

/// One guess checked against its run's measurement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub key: String,
    pub label: String,
    pub unit: Unit,
    pub guess: u64,
    pub measured: u64,
}

impl Checked {
    pub fn guess_text(&self) -> String {
        value_text(self.unit, self.guess)
    }

    pub fn measured_text(&self) -> String {
        value_text(self.unit, self.measured)
    }

    /// The error: measured − guess, as "+27.2 ms" / "−3.0 ms" / "exact".
    pub fn error_text(&self) -> String {
        let off = value_text(self.unit, self.measured.abs_diff(self.guess));
        match self.measured.cmp(&self.guess) {
            std::cmp::Ordering::Greater => format!("+{off}"),
            std::cmp::Ordering::Less => format!("\u{2212}{off}"),
            std::cmp::Ordering::Equal => "exact".to_owned(),
        }
    }

    /// "You guessed 5.0 ms for the other clients' p99 round trip; it measured 32.2 ms,
    /// 27.2 ms more than your guess (6.4× your guess)."
    pub fn sentence(&self) -> String {
        let (guess, measured) = (self.guess_text(), self.measured_text());
        let head = format!(
            "You guessed {guess} for {}; it measured {measured}",
            self.label
        );
        let off = value_text(self.unit, self.measured.abs_diff(self.guess));
        if off == value_text(self.unit, 0) {
            return format!("{head}: spot on at this precision.");
        }
        let ratio = |big: u64, small: u64| {
            (small > 0).then(|| format!(" ({} your guess)", times_text(big as f64 / small as f64)))
        };
        if self.measured > self.guess {
            let times = ratio(self.measured, self.guess).unwrap_or_default();
            format!("{head}, {off} more than your guess{times}.")
        } else {
            // Here the guess is above the measurement, so above 0.
            let part = format!(
                " ({:.0} % of your guess)",
                self.measured as f64 * 100.0 / self.guess as f64
            );
            format!("{head}, {off} less than your guess{part}.")
        }
    }
}

/// The guesses of a run, each against the headline of the same key it measured, in the
/// headlines' order. A guess of a figure the run did not measure is left out.
pub fn check(guesses: &Guesses, headlines: &[Headline]) -> Vec<Checked> {
    headlines
        .iter()
        .filter_map(|h| {
            let guess = *guesses.get(&h.key)?;
            Some(Checked {
                key: h.key.clone(),
                label: h.label.clone(),
                unit: h.unit,
                guess,
                measured: h.value,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checked(unit: Unit, guess: u64, measured: u64) -> Checked {
        Checked {
            key: "p99".into(),
            label: "the p99 round trip".into(),
            unit,
            guess,
            measured,
        }
    }

    #[test]
    fn a_typed_guess_is_read_in_the_input_unit() {
        assert_eq!(parse_guess(Unit::Micros, " 32.5 "), Some(32_500));
        assert_eq!(parse_guess(Unit::Count, "12"), Some(12));
        for bad in ["", "abc", "-1", "1e30", "NaN", "inf"] {
            assert_eq!(parse_guess(Unit::Micros, bad), None, "{bad:?}");
        }
        assert_eq!(guess_text_in_input_unit(Unit::Micros, 32_500), "32.5");
        assert_eq!(guess_text_in_input_unit(Unit::Micros, 5_000), "5");
        assert_eq!(input_unit(Unit::Micros), "ms");
    }

    #[test]
    fn the_sentence_quotes_guess_measurement_and_error_as_the_table_does() {
        let over = checked(Unit::Micros, 5_000, 32_200);
        assert_eq!(
            over.sentence(),
            "You guessed 5.0 ms for the p99 round trip; it measured 32.2 ms, 27.2 ms more \
             than your guess (6.4× your guess)."
        );
        assert_eq!(over.error_text(), "+27.2 ms");
        let under = checked(Unit::Micros, 40_000, 30_000);
        assert_eq!(
            under.sentence(),
            "You guessed 40.0 ms for the p99 round trip; it measured 30.0 ms, 10.0 ms less \
             than your guess (75 % of your guess)."
        );
        assert_eq!(under.error_text(), "\u{2212}10.0 ms");
        let close = checked(Unit::Micros, 30_000, 30_040);
        assert!(
            close.sentence().ends_with("spot on at this precision."),
            "{}",
            close.sentence()
        );
        let zero = checked(Unit::Count, 0, 7);
        assert!(
            zero.sentence().ends_with("7 more than your guess."),
            "{}",
            zero.sentence()
        );
    }

    #[test]
    fn only_guesses_of_measured_figures_are_checked() {
        let headline = |key: &str, value| Headline {
            key: key.into(),
            label: key.into(),
            value,
            unit: Unit::Micros,
            noise: 0,
        };
        let guesses = Guesses::from([("a".to_owned(), 1), ("gone".to_owned(), 2)]);
        let checked = check(&guesses, &[headline("a", 10), headline("b", 20)]);
        assert_eq!(checked.len(), 1);
        assert_eq!((checked[0].guess, checked[0].measured), (1, 10));
    }
}
