//! One part's numbers, from the clients' round trips and the part's recorded events.
//!
//! The longest poll on a worker lane is found in the events (a poll event carries its
//! lane, its end and its length), and named by its task's spawn event and its lane's
//! event. The clients stamped their round trips on the recording's clock, so a round trip
//! and a poll can be compared directly: a round trip *held up* by the poll was in flight
//! for at least half of it and ended only after it ended.
//!
//! Uses the harness's folded events, `shared`'s event and result types, and
//! `support::percentile`.

use pollscope_shared::instrument::event::LaneKind;
use pollscope_shared::instrument::stats::RunStats;
use pollscope_shared::instrument::{Event, EventKind, LaneId, PollEvent, TaskId, TaskKind};
use pollscope_shared::results::{BlockingWay, BlockingWork, HeldUp, Histogram, LongPoll, WayRun};

use super::WORK;
use crate::harness::events::Folded;
use crate::scenarios::support::percentile;

/// One client's connection and round trips: `(sent, echo read)` in nanoseconds on the
/// recording's clock.
#[derive(Debug, Clone, Default)]
pub(super) struct Trips {
    /// The client's local port: its connection's task is named after it.
    pub port: u16,
    pub trips: Vec<(u64, u64)>,
}

/// A recorded poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Poll {
    task: TaskId,
    lane: LaneId,
    end_ns: u64,
    busy_ns: u64,
}

impl Poll {
    fn start_ns(&self) -> u64 {
        self.end_ns.saturating_sub(self.busy_ns)
    }
}

/// What the search found in a part's events; lanes and tasks are named by the part's
/// statistics (which the harness folds from the same events).
#[derive(Debug)]
struct Recording<'a> {
    stats: &'a RunStats,
    /// The longest poll on a worker lane.
    longest: Option<Poll>,
    /// The blocking closure named [`WORK`], once it ran.
    work: Option<Poll>,
}

impl<'a> Recording<'a> {
    fn read(events: &[Event], stats: &'a RunStats) -> Self {
        let mut recording = Self {
            stats,
            longest: None,
            work: None,
        };
        for event in events {
            if let EventKind::Poll(PollEvent {
                task,
                lane: Some(lane),
                busy_ns,
                ..
            }) = &event.kind
            {
                recording.poll(Poll {
                    task: *task,
                    lane: *lane,
                    end_ns: event.t_ns,
                    busy_ns: *busy_ns,
                });
            }
        }
        recording
    }

    fn poll(&mut self, poll: Poll) {
        let stats = self.stats;
        match stats.lanes.get(&poll.lane).map(|l| l.kind) {
            Some(LaneKind::Worker) => {
                if self.longest.is_none_or(|l| poll.busy_ns > l.busy_ns) {
                    self.longest = Some(poll);
                }
            }
            Some(LaneKind::Blocking) => {
                if stats
                    .tasks
                    .get(&poll.task)
                    .is_some_and(|t| t.kind == TaskKind::Blocking && t.name == WORK)
                {
                    self.work = Some(poll);
                }
            }
            Some(LaneKind::Main) | None => {}
        }
    }

    fn lane_name(&self, lane: LaneId) -> String {
        self.stats
            .lanes
            .get(&lane)
            .map_or_else(String::new, |l| l.name.to_string())
    }

    fn task_name(&self, task: TaskId) -> String {
        self.stats
            .tasks
            .get(&task)
            .map_or_else(String::new, |t| t.name.to_string())
    }
}

/// Which client's connection a task served: connections' tasks are named after their
/// peer, `conn 127.0.0.1:<the client's port>`.
fn client_of(task_name: &str, clients: &[Trips]) -> Option<u32> {
    let port = task_name.strip_prefix("conn ")?.rsplit_once(':')?.1;
    let port: u16 = port.parse().ok()?;
    (0..).zip(clients).find_map(|(i, c)| (c.port == port).then_some(i))
}

/// The other clients' round trips that waited through `poll`: in flight for at least half
/// of it, and ended only after it ended. One per client, its longest such round trip.
fn held_up(poll: Poll, clients: &[Trips]) -> Vec<HeldUp> {
    if poll.busy_ns == 0 {
        return Vec::new();
    }
    let (start, end) = (poll.start_ns(), poll.end_ns);
    (0..)
        .zip(clients)
        .skip(1)
        .filter_map(|(client, trips)| {
            trips
                .trips
                .iter()
                .filter(|&&(sent, read)| sent < end && read >= end)
                .map(|&(sent, read)| (read - sent, end - sent.max(start)))
                .filter(|&(_, during)| during * 2 >= poll.busy_ns)
                .max()
                .map(|(round_trip, during)| HeldUp {
                    client,
                    round_trip_us: round_trip / 1000,
                    during_us: during / 1000,
                })
        })
        .collect()
}

/// One way's row of the result.
pub(super) fn summarise(
    way: BlockingWay,
    clients: &[Trips],
    slow_message: u32,
    folded: &Folded,
    events_dropped: u64,
) -> WayRun {
    let micros = |&(sent, read): &(u64, u64)| read.saturating_sub(sent) / 1000;
    let mut others: Vec<u64> = clients
        .iter()
        .skip(1)
        .flat_map(|c| c.trips.iter().map(micros))
        .collect();
    others.sort_unstable();
    let slow_request_us = clients
        .first()
        .and_then(|c| c.trips.get(slow_message as usize))
        .map_or(0, micros);
    let stats = folded.stats.clone().unwrap_or_default();
    let recording = Recording::read(&folded.events, &stats);
    let longest_poll = match recording.longest {
        Some(poll) => {
            let task_name = recording.task_name(poll.task);
            LongPoll {
                task: poll.task.0,
                client: client_of(&task_name, clients),
                task_name,
                lane: poll.lane.0,
                lane_name: recording.lane_name(poll.lane),
                started_at_us: poll.start_ns() / 1000,
                busy_us: poll.busy_ns / 1000,
            }
        }
        None => LongPoll {
            task: 0,
            task_name: String::new(),
            client: None,
            lane: 0,
            lane_name: String::new(),
            started_at_us: 0,
            busy_us: 0,
        },
    };
    WayRun {
        way,
        others_round_trips: others.len() as u32,
        others_p50_us: percentile(&others, 50),
        others_p99_us: percentile(&others, 99),
        others_max_us: others.last().copied().unwrap_or(0),
        others_histogram: Histogram::from_samples(others.iter().copied()),
        slow_request_us,
        longest_poll,
        blocking_work: recording.work.map(|w| BlockingWork {
            lane: w.lane.0,
            lane_name: recording.lane_name(w.lane),
            busy_us: w.busy_ns / 1000,
        }),
        held_up: recording
            .longest
            .map_or_else(Vec::new, |poll| held_up(poll, clients)),
        events_recorded: folded.totals.events,
        events_searched: folded.events.len() as u64,
        events_dropped,
    }
}

#[cfg(test)]
mod tests {
    use pollscope_shared::instrument::SpawnEvent;

    use super::*;

    fn trips(port: u16, trips: &[(u64, u64)]) -> Trips {
        Trips {
            port,
            trips: trips.to_vec(),
        }
    }

    #[test]
    fn a_round_trip_in_flight_through_most_of_the_poll_and_past_its_end_was_held_up() {
        // The poll runs from 1 000 000 to 3 000 000 ns.
        let poll = Poll {
            task: TaskId(5),
            lane: LaneId(0),
            end_ns: 3_000_000,
            busy_ns: 2_000_000,
        };
        let clients = [
            trips(1, &[(0, 3_100_000)]), // client 0: not counted, it is the slow one
            trips(2, &[(900_000, 3_050_000), (3_100_000, 3_200_000)]),
            trips(3, &[(1_500_000, 1_600_000)]), // done during the poll: served elsewhere
            trips(4, &[(2_500_000, 3_010_000)]), // in flight for a quarter of it only
        ];
        assert_eq!(
            held_up(poll, &clients),
            [HeldUp {
                client: 1,
                round_trip_us: 2_150,
                during_us: 2_000,
            }]
        );
    }

    #[test]
    fn connections_are_matched_to_clients_by_port() {
        let clients = [trips(40_000, &[]), trips(40_001, &[])];
        assert_eq!(client_of("conn 127.0.0.1:40001", &clients), Some(1));
        assert_eq!(client_of("conn 127.0.0.1:9", &clients), None);
        assert_eq!(client_of("client 1", &clients), None);
    }

    #[test]
    fn the_longest_poll_is_searched_on_worker_lanes_only() {
        let at = |t_ns, kind| Event { t_ns, kind };
        let lane = |id, lane_kind| EventKind::Lane {
            lane: LaneId(id),
            name: "t".into(),
            lane_kind,
        };
        let spawn = |task, name: &'static str, task_kind| {
            EventKind::Spawn(SpawnEvent {
                task: TaskId(task),
                name: name.into(),
                parent: None,
                task_kind,
            })
        };
        let poll = |task, lane, busy_ns| {
            EventKind::Poll(PollEvent {
                task: TaskId(task),
                lane: Some(LaneId(lane)),
                busy_ns,
                outcome: pollscope_shared::instrument::PollOutcome::Ready,
                resumed: None,
                waiting_on: None,
                waker_clones: 0,
            })
        };
        let events = [
            at(0, lane(0, LaneKind::Worker)),
            at(0, lane(1, LaneKind::Blocking)),
            at(1, spawn(1, "conn", TaskKind::Async)),
            at(1, spawn(2, WORK, TaskKind::Blocking)),
            at(10, poll(1, 0, 5)),
            at(900, poll(2, 1, 800)),
            at(950, poll(1, 0, 7)),
        ];
        let mut stats = RunStats::default();
        stats.apply_all(&events);
        let recording = Recording::read(&events, &stats);
        assert_eq!(recording.longest.map(|p| (p.end_ns, p.busy_ns)), Some((950, 7)));
        assert_eq!(recording.work.map(|p| p.busy_ns), Some(800));
    }
}
