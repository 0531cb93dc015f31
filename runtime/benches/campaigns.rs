//! The campaign scheduler, in process on a real redb file, with a dialer that answers at
//! once (the calls' own work is not the scheduler's):
//! - admitted per second: a campaign of `SWITCHBOARD_CAMPAIGN_CALLS` recipients (default
//!   5,000) under a limit of 100 concurrent calls, each recipient stored as dialling,
//!   dialled, and its outcome stored, until the campaign completes;
//! - idle: a campaign of 100,000 recipients waiting for its window (shut today), and what
//!   it adds to the scheduler's passes at idle (a pass every 30 s when nothing is due).
//!
//! Run: `cargo bench -p switchboard --bench campaigns`.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use switchboard::call::outreach::{DialOutcome, Dialer, Outreach};
use switchboard::domain::campaigns::{CampaignInput, CampaignState, RecipientInput, RetryDelays};
use switchboard::domain::hours::Hours;
use switchboard::domain::tenants::{OutreachSettings, Tenant, TenantPatch};

struct AnswersAtOnce;

#[async_trait::async_trait]
impl Dialer for AnswersAtOnce {
    async fn place(
        &self,
        _tenant: &Tenant,
        to: &str,
        _flow_input: String,
        _ring: Duration,
        _answered: tokio::sync::oneshot::Sender<String>,
    ) -> DialOutcome {
        DialOutcome::Answered { call_id: format!("call_bench_{to}") }
    }
}

fn campaign(n: usize, window: Vec<Hours>) -> CampaignInput {
    CampaignInput {
        name: format!("bench {n}"),
        flow_input: serde_json::Map::new(),
        window,
        max_attempts: 3,
        retry: RetryDelays::default(),
        ring_secs: 30,
        recipients: (0..n).map(|i| RecipientInput { phone: format!("+8869{:08}", i), ..Default::default() }).collect(),
        csv: None,
        from_orders: None,
    }
}

async fn setup() -> (Arc<Outreach>, Tenant, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("sb-campaign-bench-{}", switchboard::ids::new_id("d")));
    let app = switchboard::app::App::open(&dir).expect("app");
    let outreach = Outreach::new(app.clone());
    outreach.set_dialer(Arc::new(AnswersAtOnce));
    let patch = TenantPatch {
        outreach: Some(OutreachSettings { max_concurrent_calls: 100, ..OutreachSettings::default() }),
        ..TenantPatch::default()
    };
    let tenant = app.db.create_tenant("Bench", patch).await.expect("tenant");
    (outreach, tenant, dir)
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        let n: usize = std::env::var("SWITCHBOARD_CAMPAIGN_CALLS").ok().and_then(|v| v.parse().ok()).unwrap_or(5_000);
        let always = vec![Hours { days: vec![1, 2, 3, 4, 5, 6, 7], open: "00:00".into(), close: "24:00".into() }];

        // Admitted per second.
        let (outreach, tenant, dir) = setup().await;
        let made = outreach.create(&tenant, campaign(n, always)).await.expect("campaign");
        let db = outreach_db(&outreach);
        let started = Instant::now();
        let runner = tokio::spawn(outreach.clone().run());
        loop {
            let c = db.campaign(&tenant.id, &made.campaign.id).await.expect("campaign");
            if c.state == CampaignState::Completed {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let elapsed = started.elapsed();
        runner.abort();
        let admitted = outreach.admitted.load(Ordering::Relaxed);
        assert_eq!(admitted as usize, n, "every recipient called once");
        println!(
            "campaign of {n}: {admitted} calls admitted and settled in {:.2} s = {:.0} calls/s ({} scheduler passes)",
            elapsed.as_secs_f64(),
            admitted as f64 / elapsed.as_secs_f64(),
            outreach.passes.load(Ordering::Relaxed)
        );
        let _ = std::fs::remove_dir_all(&dir);

        // Idle: a pass with nothing due, with and without 100,000 recipients waiting.
        let (outreach, tenant, dir) = setup().await;
        let pass_time = |outreach: Arc<Outreach>| async move {
            let mut times = Vec::new();
            for _ in 0..200 {
                let t0 = Instant::now();
                outreach.pass().await.expect("pass");
                times.push(t0.elapsed());
            }
            times.sort();
            (times[100], times[190])
        };
        let (empty_p50, empty_p95) = pass_time(outreach.clone()).await;
        let now_ms = switchboard::ids::now_ms();
        let today = ((now_ms / 60_000 + tenant.utc_offset_minutes as u64) / 1440 + 3) % 7 + 1;
        let shut_today = vec![Hours {
            days: (1..=7u8).filter(|d| *d as u64 != today).collect(),
            open: "00:00".into(),
            close: "24:00".into(),
        }];
        let t0 = Instant::now();
        let waiting = outreach.create(&tenant, campaign(100_000, shut_today)).await.expect("campaign");
        let created = t0.elapsed();
        let (waiting_p50, waiting_p95) = pass_time(outreach.clone()).await;
        let c = outreach_db(&outreach).campaign(&tenant.id, &waiting.campaign.id).await.unwrap();
        assert_eq!(c.state, CampaignState::Running);
        assert_eq!(outreach.admitted.load(Ordering::Relaxed), 0, "nobody is called outside the window");
        println!("100,000 recipients stored in {:.2} s", created.as_secs_f64());
        println!(
            "an idle pass: p50 {:.0} µs / p95 {:.0} µs with nothing; p50 {:.0} µs / p95 {:.0} µs with 100,000 waiting \
             (one pass every 30 s at idle: {:.3} ms of work a minute added)",
            empty_p50.as_secs_f64() * 1e6,
            empty_p95.as_secs_f64() * 1e6,
            waiting_p50.as_secs_f64() * 1e6,
            waiting_p95.as_secs_f64() * 1e6,
            2.0 * (waiting_p50.as_secs_f64() - empty_p50.as_secs_f64()).max(0.0) * 1e3
        );
        let _ = std::fs::remove_dir_all(&dir);
    });
}

fn outreach_db(o: &Outreach) -> switchboard::storage::Db {
    o.db()
}
