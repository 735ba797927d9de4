//! The demo pages, one module each, and the registry that picks a page by scenario id.
//!
//! A page is a Yew component that takes [`DemoProps`] and implements [`DemoPage`]: its
//! scenario id (a `pollscope_shared::scenario::id` constant) and, for a demo that runs
//! entirely in the browser, how the navigation lists it. The `demos!` list below declares
//! each page's module and its entry in [`PAGES`] from one line. The shell
//! ([`crate::app`]) names no demo: it asks [`render`] for the page of a scenario id, and an
//! id with no page gets the [`generic`] one (the raw result the server sent).
//!
//! Adding a demo page:
//! 1. a new file here, say `my_demo.rs`, with `#[component] pub fn MyDemoPage(props:
//!    &DemoProps) -> Html` (most pages wrap their results in
//!    [`DemoFrame`](crate::widgets::DemoFrame)) and
//!    `impl DemoPage for MyDemoPage { const ID: &'static str = id::MY_DEMO; }`;
//! 2. one line, `my_demo::MyDemoPage,`, in the `demos!` list.
//!
//! Pages may use [`crate::widgets`], [`crate::timeline`], [`crate::recording`] and
//! [`crate::state`]; no page uses another page.

use pollscope_shared::scenario::ScenarioDescriptor;
use yew::prelude::*;

pub use crate::widgets::DemoProps;

pub mod generic;

/// A demo page: a component on [`DemoProps`] that knows which scenario it shows.
pub trait DemoPage: BaseComponent<Properties = DemoProps> {
    /// The scenario id the page is for: a `pollscope_shared::scenario::id` constant for a
    /// demo the server runs.
    const ID: &'static str;
    /// `Some` for a demo that runs entirely in the browser: the server does not announce
    /// it, so the navigation lists it from this.
    const LOCAL: Option<LocalDemo> = None;
}

/// How the navigation lists a demo that needs no server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalDemo {
    pub title: &'static str,
    /// The outline section it belongs to.
    pub section: u8,
    pub summary: &'static str,
}

/// One entry of the registry: a scenario id and how to render its page.
#[derive(Clone, Copy)]
pub struct Page {
    pub id: &'static str,
    pub local: Option<LocalDemo>,
    render: fn(DemoProps) -> Html,
}

impl Page {
    /// The entry of page component `P`.
    pub const fn of<P: DemoPage>() -> Self {
        Self {
            id: P::ID,
            local: P::LOCAL,
            render: render_page::<P>,
        }
    }

    /// The descriptor of a browser-only demo, as if a server had announced it.
    pub fn local_descriptor(&self) -> Option<ScenarioDescriptor> {
        self.local.map(|local| ScenarioDescriptor {
            id: self.id.to_owned(),
            title: local.title.to_owned(),
            section: local.section,
            summary: local.summary.to_owned(),
            params: Vec::new(),
            code: Default::default(),
            fixes: Vec::new(),
        })
    }
}

/// Keyed by the scenario id, so moving to another demo mounts a fresh page.
fn render_page<P: DemoPage>(props: DemoProps) -> Html {
    let key = props.descriptor.id.clone();
    html! { <P key={key} ..props /> }
}

/// Declares each page's module and lists its component in [`PAGES`]:
/// `module::PageComponent,` — one line per demo.
macro_rules! demos {
    ($($module:ident :: $page:ident),* $(,)?) => {
        $(pub mod $module;)*

        /// Every demo page, in the order the modules are listed.
        pub const PAGES: &[Page] = &[$(Page::of::<$module::$page>()),*];
    };
}

demos! {
    seq_vs_concurrent::SeqVsConcurrentPage,
    be_the_executor::BeTheExecutorPage,
    runtime_flavors::RuntimeFlavorsPage,
    spawning::SpawningPage,
    echo::EchoPage,
    spawn_blocking::SpawnBlockingPage,
    errors::ErrorsPage,
    timeouts::TimeoutsPage,
    future_size::FutureSizePage,
    batching::BatchingPage,
    blocking_runtime::BlockingRuntimePage,
    pooling::PoolingPage,
    graceful_shutdown::GracefulShutdownPage,
    stepping_future::SteppingFuturePage,
    runtime_metrics::RuntimeMetricsPage,
    retry_backoff::RetryBackoffPage,
    paused_time::PausedTimePage,
    rate_limit::RateLimitPage,
}

/// The registry entry for a scenario id.
pub fn page(id: &str) -> Option<&'static Page> {
    PAGES.iter().find(|p| p.id == id)
}

/// The page of the scenario `props` describe, or the generic page if it has none.
pub fn render(props: DemoProps) -> Html {
    match page(&props.descriptor.id) {
        Some(page) => (page.render)(props),
        None => {
            let key = props.descriptor.id.clone();
            html! { <generic::GenericPage key={key} ..props /> }
        }
    }
}

/// Demos that run entirely in the browser, listed in the navigation next to the server's.
pub fn local_demos() -> Vec<ScenarioDescriptor> {
    PAGES.iter().filter_map(Page::local_descriptor).collect()
}

#[cfg(test)]
mod tests {
    use pollscope_shared::scenario::id;

    use super::*;

    /// Every scenario `shared` declares has its own page (not the generic one).
    #[test]
    fn every_id_has_one_page() {
        for (i, a) in PAGES.iter().enumerate() {
            assert!(
                PAGES[i + 1..].iter().all(|b| b.id != a.id),
                "{} is registered twice",
                a.id
            );
        }
        for &id in id::ALL {
            assert!(page(id).is_some_and(|p| p.local.is_none()), "{id}");
        }
        assert!(page("no_such_demo").is_none());
    }

    #[test]
    fn browser_demos_are_listed_without_a_server() {
        let local = local_demos();
        assert_eq!(local.len(), 1);
        assert_eq!(local[0].id, be_the_executor::ID);
        assert_eq!(local[0].title, be_the_executor::TITLE);
        assert_eq!(local[0].section, be_the_executor::SECTION);
    }
}
