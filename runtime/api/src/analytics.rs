//! `GET /v1/tenants/{id}/analytics`: what callers ask and what the bot did not understand.
//! The most frequent intents and FAQ questions come from the hourly figures; the turns the bot
//! failed (found nothing in, or heard last before a transfer) come from their index, grouped
//! by meaning, each group with the FAQ entry it suggests.

use axum::extract::{Path, State};
use serde::Serialize;

use super::error::{ApiResult, Json, Query};
use super::openapi::STATS;
use super::stats::{StatsQuery, period};
use super::{ApiState, Principal};
use switchboard_domain::stats::{CallFigures, hour_of};
use switchboard_knowledge::clusters::{Cluster, cluster};

/// Turns grouped per request at most (the newest of the period).
const MAX_TURNS: usize = 200;
/// Groups returned at most, largest first.
const MAX_GROUPS: usize = 30;

#[derive(Serialize, utoipa::ToSchema)]
pub struct Analytics {
    from_ms: u64,
    to_ms: u64,
    /// Caller turns per intent the host found, most frequent first.
    intents: Vec<(String, i64)>,
    /// Caller turns per FAQ question that answered them, most frequent first.
    questions: Vec<(String, i64)>,
    /// Caller turns the host found nothing in, over those it read.
    not_understood_rate: Option<f64>,
    /// Turns grouped below (the newest of the period, at most 200).
    turns_grouped: usize,
    /// Whether the sentence model grouped them (else shared words did).
    by_meaning: bool,
    /// What callers said that the bot failed, by meaning, largest groups first, each with the
    /// FAQ entry it suggests.
    groups: Vec<Cluster>,
}

/// What callers ask and what the bot missed
///
/// The period's most frequent intents and FAQ questions, the share of caller turns the host's
/// understanding found nothing in, and those turns (with each transferred call's last one)
/// grouped by meaning, each group with a suggested FAQ entry: its most central phrasing as the
/// question, the words its phrasings share as keywords, and every phrasing.
#[utoipa::path(get, path = "/v1/tenants/{id}/analytics", tag = STATS, params(("id" = String, Path, description = "The tenant's id."), StatsQuery),
    responses((status = 200, description = "The analytics.", body = Analytics)))]
pub async fn analytics(
    State(s): State<ApiState>,
    who: Principal,
    Path(id): Path<String>,
    Query(q): Query<StatsQuery>,
) -> ApiResult<Json<Analytics>> {
    let tenant = who.tenant(&s, &id).await?;
    let (from, to, _) = period(&q, tenant.utc_offset_minutes)?;
    let hours = s.app.db.call_figures(&tenant.id, hour_of(from), to).await?;
    let totals = CallFigures::total(hours.iter().map(|(_, f)| f)).report(from);
    let turns = s.app.db.unheard_turns(&tenant.id, from, to, MAX_TURNS).await?;
    let knowledge = s.app.knowledge.clone();
    let turns_grouped = turns.len();
    let (mut groups, by_meaning) =
        tokio::task::spawn_blocking(move || cluster(&knowledge, &turns)).await.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "grouping the turns failed");
            (Vec::new(), false)
        });
    groups.truncate(MAX_GROUPS);
    Ok(Json(Analytics {
        from_ms: from,
        to_ms: to,
        intents: totals.intents,
        questions: totals.questions,
        not_understood_rate: totals.not_understood_rate,
        turns_grouped,
        by_meaning,
        groups,
    }))
}
