//! The recorder's clock: cheap raw readings on the hot path, nanoseconds for the world.
//!
//! Every event needs a time, and reading the monotonic clock (`clock_gettime` through the
//! vDSO) costs about 26 ns on the machines this was measured on: half of what recording
//! an event costs. Where the processor's time-stamp counter is invariant and the kernel
//! itself keeps time with it (its clocksource is `tsc`, so the counters of all cores agree),
//! a raw `rdtsc` costs about 9 ns. Events are stamped in counter ticks, and the aggregator
//! converts them to nanoseconds when it drains them: each drain reads both clocks together,
//! and a tick between two drains maps linearly between the two readings. So the times
//! sent are on the monotonic clock, exactly at every drain, and never need a frequency.
//!
//! Elsewhere (wasm32, other processors, other clocksources) the raw reading *is* the
//! monotonic clock in nanoseconds, and the conversion is the identity. So it is under Miri,
//! which can run neither `rdtsc` nor `cpuid` (nor read `/sys`): there the counter's code is
//! not compiled at all.
//!
//! `rdtsc` is not ordered with the instructions before it: it may read the counter while
//! the lock of the buffer it stamps for is still being acquired. [`Clock::settle`] makes a
//! drain wait that long (about a microsecond) after taking its cutoff, so an event stamped
//! before the cutoff is in its buffer before the drain looks.

use web_time::Instant;

/// A run's clock, anchored at the run's start.
#[derive(Debug)]
pub(crate) struct Clock {
    anchor: Instant,
    #[cfg(all(target_arch = "x86_64", not(miri)))]
    tsc: Option<u64>,
}

/// The last joint reading of both clocks, and the last time handed out.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Calibration {
    pub(crate) raw: u64,
    ns: u64,
    last_ns: u64,
}

impl Clock {
    pub(crate) fn new() -> Self {
        Self {
            anchor: Instant::now(),
            #[cfg(all(target_arch = "x86_64", not(miri)))]
            tsc: tsc::usable().then(tsc::read),
        }
    }

    /// Nanoseconds since the anchor, on the monotonic clock.
    pub(crate) fn now_ns(&self) -> u64 {
        u64::try_from(self.anchor.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }

    /// A raw reading: counter ticks since the anchor, or nanoseconds without a counter.
    #[inline]
    pub(crate) fn raw(&self) -> u64 {
        #[cfg(all(target_arch = "x86_64", not(miri)))]
        if let Some(start) = self.tsc {
            return tsc::read().wrapping_sub(start);
        }
        self.now_ns()
    }

    /// Wait until every raw reading taken before `cutoff` is in its buffer (see the module
    /// documentation). Without a counter the readings are ordered: nothing to wait for.
    pub(crate) fn settle(&self, cutoff: u64) {
        #[cfg(all(target_arch = "x86_64", not(miri)))]
        if self.tsc.is_some() {
            // A reading can run ahead of a lock acquisition by as long as a cache line
            // takes to cross cores: well under a microsecond. Wait a few thousand ticks.
            while self.raw().wrapping_sub(cutoff) < 4096 {
                std::hint::spin_loop();
            }
        }
        let _ = cutoff;
    }

    /// Both clocks read together: the end of the segment the next conversion maps.
    pub(crate) fn sample(&self, previous: Calibration) -> Calibration {
        let raw = self.raw();
        let ns = self.now_ns();
        Calibration {
            raw,
            ns,
            ..previous
        }
    }

    /// Converts the raw times of one drain's events, oldest first, to nanoseconds: they
    /// lie after `from`'s reading (give or take the settling time) and at or before `to`'s.
    pub(crate) fn converter(&self, from: Calibration, to: Calibration) -> Converter {
        Converter::new(!self.has_counter(), from, to)
    }

    fn has_counter(&self) -> bool {
        #[cfg(all(target_arch = "x86_64", not(miri)))]
        return self.tsc.is_some();
        #[cfg(not(all(target_arch = "x86_64", not(miri))))]
        false
    }
}

#[cfg(all(target_arch = "x86_64", not(miri)))]
mod tsc {
    use std::sync::OnceLock;

    #[inline]
    pub(super) fn read() -> u64 {
        // SAFETY: `rdtsc` exists on every x86_64 processor and has no preconditions.
        #[allow(unused_unsafe)]
        unsafe {
            std::arch::x86_64::_rdtsc()
        }
    }

    /// Is the counter invariant (same rate in every power state) and does the kernel keep
    /// time with it (so it trusts the cores' counters to agree)? Decided once.
    pub(super) fn usable() -> bool {
        static USABLE: OnceLock<bool> = OnceLock::new();
        *USABLE.get_or_init(|| {
            if std::env::var_os("POLLSCOPE_NO_TSC").is_some() {
                return false;
            }
            // CPUID leaf 0x8000_0007, EDX bit 8: invariant TSC.
            let max_extended = std::arch::x86_64::__cpuid(0x8000_0000).eax;
            let invariant = max_extended >= 0x8000_0007
                && std::arch::x86_64::__cpuid(0x8000_0007).edx & (1 << 8) != 0;
            let kernel_uses_it = std::fs::read_to_string(
                "/sys/devices/system/clocksource/clocksource0/current_clocksource",
            )
            .is_ok_and(|source| source.trim() == "tsc");
            invariant && kernel_uses_it
        })
    }
}

/// See [`Clock::converter`].
pub(crate) struct Converter {
    identity: bool,
    from: Calibration,
    to: Calibration,
    per_tick: i128,
    last_ns: u64,
}

impl Converter {
    fn new(identity: bool, from: Calibration, to: Calibration) -> Self {
        let ticks = to.raw.saturating_sub(from.raw).max(1);
        let nanos = to.ns.saturating_sub(from.ns);
        Self {
            identity,
            from,
            to,
            // Nanoseconds per tick, as a 32.32 fixed-point number.
            per_tick: ((u128::from(nanos) << 32) / u128::from(ticks)) as i128,
            last_ns: from.last_ns,
        }
    }

    #[inline]
    pub(crate) fn ns(&mut self, raw: u64) -> u64 {
        if self.identity {
            return raw;
        }
        let ns = match raw.checked_sub(self.from.raw) {
            Some(since) => self.from.ns.saturating_add(self.scale(since)),
            // Stamped before the last joint reading (a record that reached its buffer late).
            None => self.from.ns.saturating_sub(self.scale(self.from.raw - raw)),
        };
        // Two drains' lines meet at their shared reading, but a reading just before it can
        // map a nanosecond either way: never let time run backwards.
        self.last_ns = self.last_ns.max(ns);
        self.last_ns
    }

    /// `ticks` in nanoseconds, rounded to the nearest.
    #[inline]
    fn scale(&self, ticks: u64) -> u64 {
        match (u32::try_from(ticks), u32::try_from(self.per_tick)) {
            // The usual case (a drain's worth of ticks, a counter faster than 1 GHz): the
            // product fits in 64 bits, and the 128-bit route cost a tenth of the drain.
            (Ok(ticks), Ok(per_tick)) => (u64::from(ticks) * u64::from(per_tick) + (1 << 31)) >> 32,
            _ => u64::try_from((i128::from(ticks) * self.per_tick + (1 << 31)) >> 32)
                .unwrap_or(u64::MAX),
        }
    }

    /// How many nanoseconds lie between two raw readings (`from` before `to`).
    #[inline]
    pub(crate) fn duration_ns(&self, from: u64, to: u64) -> u64 {
        let ticks = to.saturating_sub(from);
        if self.identity {
            return ticks;
        }
        self.scale(ticks)
    }

    /// The calibration for the next drain.
    pub(crate) fn finish(self) -> Calibration {
        Calibration {
            last_ns: self.last_ns,
            ..self.to
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn converter(identity: bool, from: Calibration, to: Calibration) -> Converter {
        Converter::new(identity, from, to)
    }

    #[test]
    fn ticks_map_linearly_between_two_joint_readings_and_never_run_backwards() {
        // 3 ticks a nanosecond: reading (3000 ticks, 1000 ns), then (6000, 2000).
        let from = Calibration {
            raw: 3000,
            ns: 1000,
            last_ns: 990,
        };
        let to = Calibration {
            raw: 6000,
            ns: 2000,
            last_ns: 0,
        };
        let mut convert = converter(false, from, to);
        assert_eq!(convert.ns(3000), 1000);
        assert_eq!(convert.ns(4500), 1500);
        assert_eq!(convert.ns(6000), 2000);
        // A reading from before the segment (within the settling time) maps before it, but
        // time handed out never decreases.
        assert_eq!(convert.ns(2970), 2000);
        let next = convert.finish();
        assert_eq!((next.raw, next.ns, next.last_ns), (6000, 2000, 2000));
    }

    #[test]
    fn without_a_counter_raw_readings_are_nanoseconds() {
        let mut convert = converter(true, Calibration::default(), Calibration::default());
        assert_eq!(convert.ns(12_345), 12_345);
    }
}
