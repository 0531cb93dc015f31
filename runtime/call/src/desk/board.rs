//! Who is at the desk and who waits: presence, the waiting callers, and which desk rings.

use super::*;

pub(super) struct Presence {
    pub(super) user: DeskUser,
    pub(super) state: AgentState,
    pub(super) since_ms: u64,
    /// Since when they have been free (longest idle is offered first).
    pub(super) idle_since: Instant,
    pub(super) call_id: Option<String>,
    /// Open desk pages of this agent.
    pub(super) watchers: Vec<mpsc::UnboundedSender<Value>>,
}

impl Presence {
    pub(super) fn tell(&mut self, event: Value) {
        self.watchers.retain(|w| w.send(event.clone()).is_ok());
    }

    pub(super) fn view(&self) -> AgentView {
        AgentView {
            id: self.user.id.clone(),
            name: self.user.name.clone(),
            groups: self.user.groups.clone(),
            state: self.state,
            since_ms: self.since_ms,
            call_id: self.call_id.clone(),
        }
    }
}

/// An agent's leg handed to the waiting caller's task.
pub(super) struct Accepted {
    pub(super) agent_id: String,
    pub(super) agent_name: String,
    pub(super) leg: DeskLeg,
    pub(super) rang: Vec<String>,
    pub(super) first_ring_at_ms: Option<u64>,
}

pub(super) struct Waiting {
    pub(super) call_id: String,
    pub(super) tenant_id: String,
    pub(super) queue: String,
    pub(super) group: String,
    pub(super) caller: String,
    pub(super) since: Instant,
    /// Agents who let it ring out (each is rung once before anyone twice).
    pub(super) tried: HashSet<String>,
    pub(super) ringing: Option<(String, Instant)>,
    pub(super) ring_for: Duration,
    /// What the ringing desk shows: caller, customer, orders, summary, transcript.
    pub(super) popup: Value,
    pub(super) accept: Option<oneshot::Sender<Accepted>>,
    /// Desks that rang without answering, in order (for the call record).
    pub(super) rang: Vec<String>,
    pub(super) first_ring_at_ms: Option<u64>,
    /// A call an agent transferred to one colleague: only their desk rings.
    pub(super) only: Option<String>,
}

#[derive(Default)]
pub(super) struct Board {
    pub(super) agents: HashMap<String, Presence>,
    pub(super) waiting: Vec<Waiting>,
    /// Calls on a desk now: call id → (agent id, what the agent's page asks of the call).
    pub(super) talking: HashMap<String, (String, mpsc::UnboundedSender<DeskCommand>)>,
}

impl Board {
    /// Ring desks for every waiting call that has none ringing: the longest-idle available
    /// agent of the call's tenant and group, not ringing for another call, not yet tried.
    pub(super) fn assign(&mut self) {
        let now = Instant::now();
        for i in 0..self.waiting.len() {
            // A ring that ran out passes the call on.
            if let Some((agent, until)) = self.waiting[i].ringing.clone()
                && now >= until
            {
                let w = &mut self.waiting[i];
                w.ringing = None;
                w.tried.insert(agent.clone());
                w.rang.push(agent.clone());
                let call_id = w.call_id.clone();
                if let Some(p) = self.agents.get_mut(&agent) {
                    p.tell(json!({ "type": "offer_withdrawn", "call_id": call_id, "why": "no_answer" }));
                }
                tracing::info!(%call_id, %agent, "desk rang out: the call passes on");
            }
            if self.waiting[i].ringing.is_some() {
                continue;
            }
            let ringing_now: HashSet<String> =
                self.waiting.iter().filter_map(|w| w.ringing.as_ref().map(|(a, _)| a.clone())).collect();
            let (tenant, group) = (self.waiting[i].tenant_id.clone(), self.waiting[i].group.clone());
            let only = self.waiting[i].only.clone();
            let free: Vec<(String, Instant)> = self
                .agents
                .values()
                .filter(|p| {
                    p.user.tenant_id == tenant
                        && p.state == AgentState::Available
                        // A desk whose every page was closed is not rung.
                        && p.watchers.iter().any(|w| !w.is_closed())
                        && match &only {
                            Some(one) => &p.user.id == one,
                            None => group.is_empty() || p.user.groups.iter().any(|g| g == &group),
                        }
                        && !ringing_now.contains(&p.user.id)
                })
                .map(|p| (p.user.id.clone(), p.idle_since))
                .collect();
            let w = &mut self.waiting[i];
            if !free.is_empty() && free.iter().all(|(id, _)| w.tried.contains(id)) {
                // Everyone was rung once: start another round.
                w.tried.clear();
            }
            let Some(agent) = free
                .into_iter()
                .filter(|(id, _)| !w.tried.contains(id))
                .min_by_key(|(_, idle)| *idle)
                .map(|(id, _)| id)
            else {
                continue;
            };
            let w = &mut self.waiting[i];
            w.ringing = Some((agent.clone(), now + w.ring_for));
            w.first_ring_at_ms.get_or_insert_with(now_ms);
            let offer = json!({ "type": "offer", "call_id": w.call_id, "queue": w.queue, "ring_ms": w.ring_for.as_millis() as u64, "popup": w.popup });
            if let Some(p) = self.agents.get_mut(&agent) {
                p.tell(offer);
            }
            tracing::info!(call_id = %w.call_id, %agent, "desk rings");
        }
    }

    /// How many callers wait ahead of `call_id` in its queue, plus one.
    pub(super) fn position(&self, call_id: &str) -> Option<usize> {
        let w = self.waiting.iter().find(|w| w.call_id == call_id)?;
        Some(
            self.waiting
                .iter()
                .filter(|o| o.tenant_id == w.tenant_id && o.queue == w.queue && o.since <= w.since)
                .count(),
        )
    }

    pub(super) fn set_state(&mut self, agent: &str, state: AgentState, call_id: Option<String>) {
        if let Some(p) = self.agents.get_mut(agent) {
            if p.state != AgentState::Available && state == AgentState::Available {
                p.idle_since = Instant::now();
            }
            p.state = state;
            p.since_ms = now_ms();
            p.call_id = call_id;
            let view = p.view();
            p.tell(json!({ "type": "state", "agent": view }));
        }
    }
}
