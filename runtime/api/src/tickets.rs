//! `/v1/tenants/{id}/tickets`: after-sales tickets, listed, opened, assigned and moved on.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Serialize;

use super::error::{ApiError, ApiResult, Json, Query, not_found_as};
use super::{ApiState, Principal};
use switchboard_domain::customers::normalize_phone;
use switchboard_domain::ids::now_ms;
use switchboard_domain::tickets::{Ticket, TicketInput, TicketPatch, TicketQuery};

const TICKETS: &str = super::openapi::TICKETS;

/// The tenant's tickets that match, newest first, with how many are open and overdue.
#[derive(Serialize, utoipa::ToSchema)]
pub struct TicketList {
    tickets: Vec<Ticket>,
    open: usize,
    overdue: usize,
}

/// List tickets
///
/// Newest first; filter by status, kind, assignee (a desk user's id), phone or order.
#[utoipa::path(get, path = "/v1/tenants/{id}/tickets", tag = TICKETS,
    params(("id" = String, Path, description = "The tenant's id."), TicketQuery),
    responses((status = 200, description = "Tickets.", body = TicketList)))]
pub async fn list(
    State(s): State<ApiState>,
    who: Principal,
    Path(id): Path<String>,
    Query(query): Query<TicketQuery>,
) -> ApiResult<Json<TicketList>> {
    let tenant = who.tenant(&s, &id).await?;
    let tickets = s.app.db.tickets(&tenant.id, &query).await?;
    let now = now_ms();
    let open = tickets.iter().filter(|t| t.status.is_active()).count();
    let overdue = tickets.iter().filter(|t| t.overdue(now)).count();
    Ok(Json(TicketList { tickets, open, overdue }))
}

/// Open a ticket
///
/// For a customer who wrote or called in some other way; calls open theirs through the
/// flow's `tickets` capability. Due by the tenant's service level for its kind.
#[utoipa::path(post, path = "/v1/tenants/{id}/tickets", tag = TICKETS, request_body = TicketInput,
    params(("id" = String, Path, description = "The tenant's id.")),
    responses((status = 201, description = "Opened.", body = Ticket),
              (status = 400, description = "A description is missing, too long, or the number is not one.", body = super::openapi::ErrorBody)))]
pub async fn create(
    State(s): State<ApiState>,
    who: Principal,
    Path(id): Path<String>,
    Json(input): Json<TicketInput>,
) -> ApiResult<(StatusCode, Json<Ticket>)> {
    let tenant = who.tenant(&s, &id).await?;
    input.validate().map_err(|e| ApiError::bad_request(e.to_string()))?;
    let order = match &input.order_id {
        Some(o) => Some(s.app.db.order(&tenant.id, o).await.map_err(not_found_as("order"))?),
        None => None,
    };
    let phone = match (normalize_phone(&input.phone), &order) {
        (p, _) if !p.is_empty() => p,
        (_, Some(o)) => o.phone.clone(),
        _ => return Err(ApiError::bad_request("phone: the customer's number (or an order_id)")),
    };
    let (kind, name) = (input.kind, input.customer_name.clone());
    let rules = &tenant.after_sales;
    let ticket = Ticket::open(&tenant.id, rules, kind, &input.description, phone, name, order.as_ref(), None, now_ms());
    let ticket = s.app.db.create_ticket(&ticket).await?;
    super::audit::note(
        &s,
        &who,
        &tenant.id,
        "ticket.create",
        &ticket.id,
        format!("#{} {}", ticket.number, ticket.kind.as_str()),
    )
    .await;
    Ok((StatusCode::CREATED, Json(ticket)))
}

/// One ticket
#[utoipa::path(get, path = "/v1/tenants/{id}/tickets/{ticket}", tag = TICKETS,
    params(("id" = String, Path, description = "The tenant's id."), ("ticket" = String, Path, description = "The ticket's id.")),
    responses((status = 200, description = "The ticket.", body = Ticket)))]
pub async fn get(
    State(s): State<ApiState>,
    who: Principal,
    Path((id, ticket)): Path<(String, String)>,
) -> ApiResult<Json<Ticket>> {
    let tenant = who.tenant(&s, &id).await?;
    Ok(Json(s.app.db.ticket(&tenant.id, &ticket).await.map_err(not_found_as("ticket"))?))
}

/// Change a ticket
///
/// Its status (a closed ticket can only be reopened), its assignee (a desk user of the
/// tenant; empty unassigns) and a note; every change is noted on the ticket with who made it.
#[utoipa::path(patch, path = "/v1/tenants/{id}/tickets/{ticket}", tag = TICKETS, request_body = TicketPatch,
    params(("id" = String, Path, description = "The tenant's id."), ("ticket" = String, Path, description = "The ticket's id.")),
    responses((status = 200, description = "Changed.", body = Ticket),
              (status = 400, description = "Refused; nothing changed.", body = super::openapi::ErrorBody)))]
pub async fn update(
    State(s): State<ApiState>,
    who: Principal,
    Path((id, ticket)): Path<(String, String)>,
    Json(patch): Json<TicketPatch>,
) -> ApiResult<Json<Ticket>> {
    let tenant = who.tenant(&s, &id).await?;
    let mut t = s.app.db.ticket(&tenant.id, &ticket).await.map_err(not_found_as("ticket"))?;
    let assignee_name = match patch.assignee.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        Some(user) => Some(
            s.app
                .db
                .desk_user(&tenant.id, user)
                .await
                .map_err(|_| ApiError::bad_request(format!("no desk user `{user}`")))?
                .name,
        ),
        None => None,
    };
    let by = match &who {
        Principal::Admin => "provider",
        _ => "operator",
    };
    patch.apply(&mut t, by, assignee_name, now_ms()).map_err(|e| ApiError::bad_request(e.to_string()))?;
    s.app.db.save_ticket(&t).await?;
    super::audit::note(&s, &who, &tenant.id, "ticket.update", &t.id, format!("#{} {}", t.number, t.status.as_str()))
        .await;
    Ok(Json(t))
}
