//! `/v1/tenants/{id}/campaigns`, `/do-not-call` and `/surveys`: outbound campaigns (made
//! from a list, a CSV or the orders; paused, resumed, cancelled), the do-not-call list,
//! and what surveys found.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use super::error::{ApiError, ApiResult, Json, Query, not_found_as};
use super::{ApiState, Principal};
use switchboard_call::outreach::{CampaignError, Created};
use switchboard_domain::campaigns::*;

const CAMPAIGNS: &str = super::openapi::CAMPAIGNS;

fn campaign_error(e: CampaignError) -> ApiError {
    match e {
        CampaignError::Invalid(m) => ApiError::bad_request(m),
        CampaignError::Conflict(m) => ApiError::new(StatusCode::CONFLICT, "conflict", m),
        CampaignError::Storage(switchboard_store::StorageError::NotFound) => ApiError::not_found("campaign"),
        CampaignError::Storage(e) => e.into(),
    }
}

/// A campaign and how far it has got.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CampaignView {
    #[serde(flatten)]
    campaign: Campaign,
    progress: CampaignProgress,
}

async fn view(s: &ApiState, c: Campaign) -> ApiResult<CampaignView> {
    let recipients = s.app.db.recipients(&c.tenant_id, &c.id).await?;
    Ok(CampaignView { progress: CampaignProgress::of(&recipients), campaign: c })
}

/// Start a campaign
///
/// Recipients as a list, as CSV text (a header line with a `phone` column, optional `name`
/// and `utc_offset`, the rest given to the flow), or from the orders. Bad lines are
/// reported with their numbers and the rest imported. Calls are placed inside `window` in
/// each callee's local time, at most `max_attempts` per recipient, retried after the delay
/// for how the attempt went, never to a number on the do-not-call list, and at most the
/// tenant's `outreach.max_concurrent_calls` at once.
#[utoipa::path(post, path = "/v1/tenants/{id}/campaigns", tag = CAMPAIGNS, request_body = CampaignInput,
    params(("id" = String, Path, description = "The tenant's id.")),
    responses((status = 201, description = "Started.", body = Created),
              (status = 400, description = "Refused (and nothing stored): the settings, or no recipient could be imported.", body = super::openapi::ErrorBody)))]
pub async fn create(
    State(s): State<ApiState>,
    who: Principal,
    Path(id): Path<String>,
    Json(input): Json<CampaignInput>,
) -> ApiResult<(StatusCode, Json<Created>)> {
    let tenant = who.tenant(&s, &id).await?;
    let created = s.outreach.create(&tenant, input).await.map_err(campaign_error)?;
    let what = format!("{} ({} recipients)", created.campaign.name, created.imported);
    super::audit::note(&s, &who, &tenant.id, "campaign.create", &created.campaign.id, what).await;
    Ok((StatusCode::CREATED, Json(created)))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CampaignList {
    campaigns: Vec<CampaignView>,
    /// Whether this server can place calls (started with SIP); campaigns wait until one does.
    dialling: bool,
}

/// List campaigns
#[utoipa::path(get, path = "/v1/tenants/{id}/campaigns", tag = CAMPAIGNS,
    params(("id" = String, Path, description = "The tenant's id.")),
    responses((status = 200, description = "Campaigns, newest first.", body = CampaignList)))]
pub async fn list(State(s): State<ApiState>, who: Principal, Path(id): Path<String>) -> ApiResult<Json<CampaignList>> {
    let tenant = who.tenant(&s, &id).await?;
    let mut campaigns = Vec::new();
    for c in s.app.db.campaigns(&tenant.id).await? {
        campaigns.push(view(&s, c).await?);
    }
    Ok(Json(CampaignList { campaigns, dialling: s.outreach.can_dial() }))
}

/// A campaign, its progress and its survey results.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CampaignDetail {
    #[serde(flatten)]
    view: CampaignView,
    surveys: SurveySummary,
    recipients: Vec<Recipient>,
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct Page {
    /// Recipients from this position (default 0).
    #[serde(default)]
    offset: usize,
    /// At most this many recipients (default 100, at most 1000).
    #[serde(default)]
    limit: Option<usize>,
}

/// One campaign
///
/// Its progress, survey results and recipients (a page of them), each with every attempt.
#[utoipa::path(get, path = "/v1/tenants/{id}/campaigns/{campaign}", tag = CAMPAIGNS,
    params(("id" = String, Path, description = "The tenant's id."), ("campaign" = String, Path, description = "The campaign's id."), Page),
    responses((status = 200, description = "The campaign.", body = CampaignDetail)))]
pub async fn get(
    State(s): State<ApiState>,
    who: Principal,
    Path((id, campaign)): Path<(String, String)>,
    Query(page): Query<Page>,
) -> ApiResult<Json<CampaignDetail>> {
    let tenant = who.tenant(&s, &id).await?;
    let c = s.app.db.campaign(&tenant.id, &campaign).await.map_err(not_found_as("campaign"))?;
    let all = s.app.db.recipients(&tenant.id, &c.id).await?;
    let surveys = SurveySummary::of(&s.app.db.surveys(&tenant.id, Some(&c.id)).await?);
    let progress = CampaignProgress::of(&all);
    let limit = page.limit.unwrap_or(100).min(1000);
    let recipients = all.into_iter().skip(page.offset).take(limit).collect();
    Ok(Json(CampaignDetail { view: CampaignView { campaign: c, progress }, surveys, recipients }))
}

async fn change(
    s: &ApiState,
    who: &Principal,
    id: &str,
    campaign: &str,
    state: CampaignState,
) -> ApiResult<Json<CampaignView>> {
    let tenant = who.tenant(s, id).await?;
    let c = s.outreach.set_state(&tenant.id, campaign, state).await.map_err(campaign_error)?;
    super::audit::note(s, who, &tenant.id, "campaign.state", campaign, format!("{state:?}").to_lowercase()).await;
    Ok(Json(view(s, c).await?))
}

/// Pause a campaign
///
/// No new call is placed (calls under way end as they will). Pausing a paused campaign
/// changes nothing.
#[utoipa::path(post, path = "/v1/tenants/{id}/campaigns/{campaign}/pause", tag = CAMPAIGNS,
    params(("id" = String, Path, description = "The tenant's id."), ("campaign" = String, Path, description = "The campaign's id.")),
    responses((status = 200, description = "Paused.", body = CampaignView),
              (status = 409, description = "Cancelled or completed.", body = super::openapi::ErrorBody)))]
pub async fn pause(
    State(s): State<ApiState>,
    who: Principal,
    Path((id, c)): Path<(String, String)>,
) -> ApiResult<Json<CampaignView>> {
    change(&s, &who, &id, &c, CampaignState::Paused).await
}

/// Resume a campaign
#[utoipa::path(post, path = "/v1/tenants/{id}/campaigns/{campaign}/resume", tag = CAMPAIGNS,
    params(("id" = String, Path, description = "The tenant's id."), ("campaign" = String, Path, description = "The campaign's id.")),
    responses((status = 200, description = "Running.", body = CampaignView),
              (status = 409, description = "Cancelled or completed.", body = super::openapi::ErrorBody)))]
pub async fn resume(
    State(s): State<ApiState>,
    who: Principal,
    Path((id, c)): Path<(String, String)>,
) -> ApiResult<Json<CampaignView>> {
    change(&s, &who, &id, &c, CampaignState::Running).await
}

/// Cancel a campaign
///
/// Nobody still waiting is called. Cancelling a cancelled campaign changes nothing.
#[utoipa::path(post, path = "/v1/tenants/{id}/campaigns/{campaign}/cancel", tag = CAMPAIGNS,
    params(("id" = String, Path, description = "The tenant's id."), ("campaign" = String, Path, description = "The campaign's id.")),
    responses((status = 200, description = "Cancelled.", body = CampaignView),
              (status = 409, description = "Completed.", body = super::openapi::ErrorBody)))]
pub async fn cancel(
    State(s): State<ApiState>,
    who: Principal,
    Path((id, c)): Path<(String, String)>,
) -> ApiResult<Json<CampaignView>> {
    change(&s, &who, &id, &c, CampaignState::Cancelled).await
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct DoNotCallList {
    numbers: Vec<DoNotCall>,
}

/// The do-not-call list
#[utoipa::path(get, path = "/v1/tenants/{id}/do-not-call", tag = CAMPAIGNS,
    params(("id" = String, Path, description = "The tenant's id.")),
    responses((status = 200, description = "Numbers no campaign calls.", body = DoNotCallList)))]
pub async fn do_not_call(
    State(s): State<ApiState>,
    who: Principal,
    Path(id): Path<String>,
) -> ApiResult<Json<DoNotCallList>> {
    let tenant = who.tenant(&s, &id).await?;
    Ok(Json(DoNotCallList { numbers: s.app.db.do_not_calls(&tenant.id).await? }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddNumber {
    phone: String,
}

/// Add a number to the do-not-call list
#[utoipa::path(post, path = "/v1/tenants/{id}/do-not-call", tag = CAMPAIGNS, request_body = AddNumber,
    params(("id" = String, Path, description = "The tenant's id.")),
    responses((status = 201, description = "Added.", body = DoNotCall),
              (status = 400, description = "Not a phone number.", body = super::openapi::ErrorBody)))]
pub async fn add_do_not_call(
    State(s): State<ApiState>,
    who: Principal,
    Path(id): Path<String>,
    Json(body): Json<AddNumber>,
) -> ApiResult<(StatusCode, Json<DoNotCall>)> {
    let tenant = who.tenant(&s, &id).await?;
    let phone = callee(&body.phone).map_err(|e| ApiError::bad_request(e.to_string()))?;
    let entry = DoNotCall {
        phone: dnc_key(&phone),
        added_at_ms: switchboard_domain::ids::now_ms(),
        source: "operator".into(),
        call_id: None,
    };
    s.app.db.add_do_not_call(&tenant.id, &entry).await?;
    super::audit::note(&s, &who, &tenant.id, "do_not_call.add", &entry.phone, String::new()).await;
    Ok((StatusCode::CREATED, Json(entry)))
}

/// Take a number off the do-not-call list
#[utoipa::path(delete, path = "/v1/tenants/{id}/do-not-call/{phone}", tag = CAMPAIGNS,
    params(("id" = String, Path, description = "The tenant's id."), ("phone" = String, Path, description = "The number.")),
    responses((status = 204, description = "Removed.")))]
pub async fn remove_do_not_call(
    State(s): State<ApiState>,
    who: Principal,
    Path((id, phone)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let tenant = who.tenant(&s, &id).await?;
    if !s.app.db.remove_do_not_call(&tenant.id, &phone).await? {
        return Err(ApiError::not_found("number on the list"));
    }
    super::audit::note(&s, &who, &tenant.id, "do_not_call.remove", &phone, String::new()).await;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct SurveyQuery {
    /// One campaign's answers only.
    campaign: Option<String>,
}

/// Survey results
///
/// CSAT (the share of 4 and 5 ratings among the rated), the distribution of ratings, and
/// the newest comments; of every survey call, or of one campaign.
#[utoipa::path(get, path = "/v1/tenants/{id}/surveys", tag = CAMPAIGNS,
    params(("id" = String, Path, description = "The tenant's id."), SurveyQuery),
    responses((status = 200, description = "Results.", body = SurveySummary)))]
pub async fn surveys(
    State(s): State<ApiState>,
    who: Principal,
    Path(id): Path<String>,
    Query(q): Query<SurveyQuery>,
) -> ApiResult<Json<SurveySummary>> {
    let tenant = who.tenant(&s, &id).await?;
    Ok(Json(SurveySummary::of(&s.app.db.surveys(&tenant.id, q.campaign.as_deref()).await?)))
}
