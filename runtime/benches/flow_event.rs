//! Flow-event overhead: what the sandbox costs per call and per turn.
//!
//! Measures, for the echo flow (pure guest code) and the tea-shop flow (guest
//! code plus host capability calls into redb):
//! - instantiate: a fresh `Store` and instance from the cached `InstancePre`;
//! - first event: `call-started` on the new instance;
//! - utterance: one caller turn on a running instance;
//! - instantiate + one event, end to end.
//!
//! Run: `cargo bench -p switchboard --bench flow_event` (prints p50/p90/p99 in µs).

use std::sync::Arc;
use std::time::{Duration, Instant};

use switchboard::app::App;
use switchboard::domain::tenants::{FlowLimits, TenantPatch};
use switchboard::flows::LoadedFlow;
use switchboard::flows::bindings::types as wit;
use switchboard::flows::context::CallScope;
use switchboard::flows::instance::FlowInstance;

const ITERATIONS: usize = 2000;

fn call_info(caller: &str) -> wit::CallInfo {
    wit::CallInfo {
        call_id: "call_bench".into(),
        caller: caller.into(),
        callee: "+886223456789".into(),
        direction: wit::Direction::Inbound,
        channel: wit::Channel::Simulated,
        language: "zh-TW".into(),
        flow_input: String::new(),
        started_at_ms: 0,
    }
}

fn utterance(text: &str) -> wit::Event {
    let language = if text.is_ascii() { "en" } else { "zh" };
    wit::Event::Utterance(wit::Utterance { text: text.into(), confidence: 0.95, language: language.into() })
}

struct Stats(Vec<Duration>);

impl Stats {
    fn line(&mut self, what: &str) {
        self.0.sort();
        let pct = |p: f64| self.0[((self.0.len() as f64 * p) as usize).min(self.0.len() - 1)].as_secs_f64() * 1e6;
        println!("{what:<44} p50 {:>8.1} µs   p90 {:>8.1} µs   p99 {:>8.1} µs", pct(0.50), pct(0.90), pct(0.99));
    }
}

async fn bench_flow(app: &App, tenant: &str, name: &str, flow: Arc<LoadedFlow>, caller: &str, turn: &str) {
    let scope = || CallScope {
        tenant_id: tenant.into(),
        call_id: "call_bench".into(),
        caller: caller.into(),
        customer: caller.into(),
        campaign: None,
        started_at_ms: 0,
        language: "zh-TW".into(),
        utc_offset_minutes: 480,
        db: app.db.clone(),
        knowledge: app.knowledge.clone(),
        replay: false,
    };
    let limits = FlowLimits::default();
    let info = call_info(caller);
    let (mut inst, mut first, mut both, mut turns) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for i in 0..ITERATIONS + 100 {
        let t0 = Instant::now();
        let mut instance = FlowInstance::start(flow.clone(), scope(), limits).await.expect("instantiate");
        let t1 = Instant::now();
        instance.handle(&info, &wit::Event::CallStarted).await.expect("call-started");
        let t2 = Instant::now();
        instance.handle(&info, &utterance(turn)).await.expect("utterance");
        let t3 = Instant::now();
        if i >= 100 {
            // The first hundred warm caches and the allocator pool.
            inst.push(t1 - t0);
            first.push(t2 - t1);
            both.push(t2 - t0);
            turns.push(t3 - t2);
        }
    }
    Stats(inst).line(&format!("{name}: instantiate"));
    Stats(first).line(&format!("{name}: call-started event"));
    Stats(both).line(&format!("{name}: instantiate + call-started"));
    Stats(turns).line(&format!("{name}: utterance event (\"{}\")", turn.chars().take(12).collect::<String>()));
}

fn main() -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(async {
        let dir = std::env::temp_dir().join(switchboard::domain::ids::new_id("switchboard-bench"));
        let app = App::open(&dir)?;
        let tenant = app.db.create_tenant("bench", TenantPatch::default()).await?;
        switchboard::demo::seed_data(&app, &tenant.id).await?;
        let echo = app.flows.load_unstored(&tenant.id, switchboard::demo::ECHO_FLOW.to_vec()).await?;
        let tea = app.flows.load_unstored(&tenant.id, switchboard::demo::TEA_SHOP_FLOW.to_vec()).await?;
        println!("flow-event overhead, {ITERATIONS} iterations each, {} cores", std::thread::available_parallelism()?);
        bench_flow(&app, &tenant.id, "echo", echo, "+886912345678", "hello there").await;
        bench_flow(&app, &tenant.id, "tea-shop", tea, "+886911222333", "我要兩杯大杯珍珠奶茶半糖少冰").await;
        let _ = std::fs::remove_dir_all(&dir);
        Ok(())
    })
}
