// Traditional Chinese (Taiwan) and English. The choice is kept in localStorage.
const zh = {
  tickets: '客服單', campaigns: '外撥活動', needsPerson: '需專人', theCall: '該通電話', overdue: '已逾期', assignee: '負責人', addNote: '加註記…',
  newTicket: '新增客服單', orderId: '訂單代號（ord_…）', description: '問題描述', openTicket: '建立客服單', ticketsOpen: '件待處理',
  noTickets: '沒有客服單。', customer: '客人', order: '訂單', remove: '移除',
  tk_complaint: '客訴', tk_return: '退貨', tk_exchange: '換貨', tk_inquiry: '詢問',
  ts_open: '待處理', ts_in_progress: '處理中', ts_resolved: '已解決', ts_closed: '已結案',
  progress: '進度', attempts: '次撥號', attemptsCol: '撥號紀錄', pause: '暫停', resumeCampaign: '繼續', cancel: '取消活動', noSurveys: '還沒有問卷回覆。',
  averageRating: '平均分數', rated: '位評分', comments: '意見', window: '撥打時段', maxAttempts: '最多撥打次數', surveyResults: '問卷結果',
  recipients: '名單', nextCall: '下次撥打', chooseCsv: '請選擇 CSV 檔', newCampaign: '新增外撥活動', purpose: '目的',
  pu_survey: '滿意度調查（1–5 分與意見）', pu_follow_up: '售後關懷', windowHint: '對方當地時間，每行「星期 開始-結束」，1 為週一',
  retryBusy: '忙線後重撥（分鐘）', retryNoAnswer: '未接後重撥（分鐘）', retryFailed: '失敗後重撥（分鐘）', fromCsv: '上傳 CSV',
  csvFile: 'CSV 檔', csvHint: '第一行是欄位名稱：phone（必填）、name、utc_offset，其他欄位交給流程', fromOrders: '從訂單挑選',
  daysAgo: '幾天前（1＝昨天）', startCampaign: '開始撥打', imported: '已匯入', duplicates: '重複略過', line: '第幾行',
  doNotCall: '拒接名單', nobodyListed: '名單是空的。', src_flow: '通話中要求', src_operator: '後台加入', src_api: 'API 加入',
  notDialling: '這台伺服器沒有開 SIP，活動會等到能撥號時才開始。', noCampaigns: '還沒有外撥活動。',
  st_running: '進行中', st_paused: '已暫停', st_cancelled: '已取消', st_completed: '已完成',
  cs_pending: '等待中', cs_dialing: '撥號中', cs_completed: '已完成', cs_unreached: '聯絡不上', cs_do_not_call: '拒接', cs_cancelled: '已取消',
  ao_answered: '接通', ao_busy: '忙線', ao_no_answer: '未接', ao_failed: '失敗', ao_interrupted: '中斷（伺服器重啟）',
  callBack: '回撥', passwordPlain: '密碼', callbackFailed: '回撥沒有接通。',

  newOrder: '建立訂單', correctOrder: '修正訂單', quantity: '數量', fulfilment: '取貨方式', pickup: '自取', delivery: '外送',
  replacesOrder: '取代本通訂單', placeOrder: '送出訂單',

  hold: '保留', resume: '恢復通話', onHold: '來電者保留中：對方聽到等候音樂，雙方聽不到彼此。', transferTo: '轉給…', queue: '佇列',
  transfers_per_agent: '各專人轉出數', def_transfers_per_agent: '每位專人把通話轉給同事或其他佇列的次數（Genesys 的專人轉接數）。',

  queued: '進入佇列', average_speed_of_answer_s: '平均應答速度', average_time_in_queue_s: '平均排隊時間', queue_abandonment_rate: '排隊放棄率',
  service_level: '服務水準', agent_handle_time_s: '專人平均處理時間', average_wrap_up_s: '平均整理時間', calls_per_agent: '各專人接聽數',
  def_queued: '機器人轉入專人佇列（轉接對象 queue:代號）、在期間內結束的通話。',
  def_average_time_in_queue_s: '從進入佇列到專人接起、來電者掛斷或等候逾時的平均時間（秒），計入所有排隊通話（Amazon Connect 的平均排隊應答時間只算被接起的）。',
  def_average_speed_of_answer_s: '被專人接起的通話在佇列中的平均等候（秒），即 Genesys 的 ASA；桌面響鈴時間包含在內。',
  def_queue_abandonment_rate: '排隊中、專人接起前來電者就掛斷的通話，除以排隊通話（Genesys 放棄率；不設短放棄門檻）。',
  def_service_level: '在佇列的服務水準門檻（service_level_secs）內被接起的通話，除以全部排隊通話，含放棄的（Amazon Connect 的算法；Genesys 可排除放棄）。',
  def_agent_handle_time_s: '專人處理的每通電話（佇列接起或自己的回撥），通話時間（含保留）加通話後整理的平均（秒），即 Genesys AHT。',
  def_average_wrap_up_s: '從專人通話結束到寫完整理的平均時間（秒）。',
  def_calls_per_agent: '期間內每位專人從佇列接起的通話數。',

  agents: '專人與佇列', withheld: '未顯示號碼', reason: '轉接原因', summary: '機器人摘要', orderThisCall: '本通訂單', pastOrders: '過去訂單',
  sp_caller: '來電者', sp_bot: '機器人', sp_system: '系統', wrapUp: '通話後整理', notes: '備註', scheduleCallback: '排定回撥',
  due: '到期時間', taskNote: '待辦內容', finishWrapUp: '完成整理', dueNeeded: '請填回撥時間', done: '已完成', dueNow: '已到期', taskOpen: '未完成',
  noTasks: '沒有待辦事項。', desk: '客服桌面', connectedNow: '已連線', reconnecting: '重新連線中', myState: '我的狀態',
  st_available: '可接聽', st_away: '暫離', st_offline: '離線', st_on_call: '通話中', st_wrap_up: '整理中',
  incoming: '來電', accept: '接聽', decline: '略過', callEnded: '通話結束', deskTalking: '通話中', connecting: '接通中', hangUp: '掛斷',
  waitingForCalls: '等候來電中。', notTakingCalls: '目前不接聽：狀態設為「可接聽」即可開始接電話。', followUps: '後續待辦',
  hoursFormat: '營業時間格式為「1-5 09:00-18:00」（1 為週一）', group: '群組', q_ring_secs: '每位專人響鈴（秒）',
  q_announce_every_secs: '報告排隊位置的間隔（秒）', q_max_wait_secs: '最長等候（秒）', q_service_level_secs: '服務水準門檻（秒內接起）',
  q_fallback: '等候逾時後', q_whisper: '接通前對專人播報摘要', q_hours: '營業時間（每行：星期 開始-結束；空白為全天）',
  queues: '佇列', queuesHelp: '轉接對象的位址設為「queue:佇列代號」，流程的轉接就會進入該佇列，由客服桌面的專人接聽。',
  addQueue: '新增佇列', deskUsers: '客服人員', login: '帳號', groups: '群組（逗號分隔）', password: '密碼（至少 10 字元）',
  addDeskUser: '新增客服人員', operatorSignIn: '管理者', agentSignIn: '客服人員', nowOnDesk: '客服人員狀態', waitingCallers: '排隊中的來電',

  f_id: '代號', nameZh: '中文名稱', nameEn: '英文名稱', aliases: '別名（逗號分隔）', sizeCol: '尺寸', price: '價格', currency: '幣別', products: '品項', addProduct: '新增品項',

  general: '基本資料', numberLines: '電話號碼（每行一個，E.164）', telephonySettings: '電話與網頁通話', agentsSection: '轉接對象', addAgent: '新增轉接對象',
  notANumber: '請填數字', keepPassword: '（不變）', f_uri: 'SIP 位址', f_mode: '轉接方式', c_bridged: '代撥並橋接', c_blind: '直接轉出（REFER）',
  c_bot: '回到機器人', c_callback: '記下回撥並結束', f_utc_offset_minutes: 'UTC 時差（分鐘）',
  f_end_of_turn_ms: '句尾最長停頓（毫秒）', f_end_of_turn_min_ms: '語意完整時的停頓（毫秒）', f_semantic_end_of_turn: '以模型判斷來電者是否說完',
  f_turn_complete_threshold: '說完的機率門檻（0.05–0.95）', f_min_speech_ms: '最短語音（毫秒，短於此視為雜音）', f_speed: '語速（1.0 為原速）',
  f_caller_languages: '來電者可能使用的語言（如 zh、en）', f_ring_ms: '接聽前響鈴（毫秒）', f_max_call_secs: '通話上限（秒）',
  f_barge_in: '來電者可打斷機器人', f_recording: '錄音（先播放告知）', f_consent_prompt: '錄音告知語（空白用預設）',
  f_transfer_timeout_secs: '專人響鈴上限（秒）', f_transfer_fallback: '無人接聽時', f_max_browser_calls: '同時網頁通話上限',
  f_allowed_sources: '允許的來源 IP／網段（空白：不限）', f_allowed_origins: '可嵌入網頁通話的網站來源', f_outbound_proxy: '外撥中繼（SIP URI）',
  f_sip_user: 'SIP 驗證帳號（空白：不驗證）', f_sip_password: 'SIP 驗證密碼', f_event_deadline_ms: '每個事件的執行上限（毫秒）', f_memory_mib: '每通電話的記憶體上限（MiB）',

  title: 'Switchboard 控制台', signIn: '登入', key: '管理權杖或租戶 API 金鑰', keyHelp: '供應商以管理權杖登入，可看所有租戶；租戶以自己的 API 金鑰登入，只看自己的資料。',
  signOut: '登出', dashboard: '總覽', calls: '通話', orders: '訂單', faq: '常見問題', flows: '流程', tenants: '租戶',
  period: '期間', bucket: '區間', hour: '每小時', day: '每日', week: '每週', last7: '最近 7 天', last30: '最近 30 天', today: '今天',
  offered: '進線通話', answered: '接聽', containment_rate: '自助完成率', transfer_rate: '轉接率', resolution_rate: '解決率',
  abandonment_rate: '放棄率', average_handle_time_s: '平均處理時間', orders_n: '訂單數', revenue: '營收', reply_latency: '回應延遲 p50 / p95',
  flow_errors: '流程錯誤', callbacks: '回撥請求', definition: '定義', topTags: '最常見的結果標籤', noData: '這段期間沒有通話。',
  allTenants: '所有租戶', tenant: '租戶', from: '從', to: '到', outcome: '結果', channel: '管道', tag: '標籤', text: '逐字稿包含',
  search: '搜尋', any: '全部', started: '開始', caller: '來電者', turns: '輪數', transcript: '逐字稿', recording: '錄音',
  transfer: '轉接', flowError: '流程錯誤', back: '返回', latencyMs: '回應', status: '狀態', total: '總額', phone: '電話', name: '姓名',
  items: '品項', save: '儲存', add: '新增', delete: '刪除', question: '問題', answer: '回答', language: '語言', keywords: '關鍵字（以逗號分隔）',
  upload: '上傳新版本', activate: '啟用', rollBack: '回復到此版本', active: '使用中', version: '版本', uploaded: '上傳時間', size: '大小',
  create: '建立', numbers: '電話號碼（以逗號分隔）', newKey: '新租戶的 API 金鑰（只顯示這一次）', notFound: '找不到這個頁面，或您無權查看。',
  live: '即時通話', liveOn: '即時更新中。', noLive: '目前沒有通話。', talking: '通話中',
  customers: '顧客', catalogue: '菜單目錄', address: '地址', blocked: '封鎖', catalogueHelp: '逐項編輯品項、別名、尺寸與價格；選項群組等完整內容可用 JSON 編輯。伺服器會檢查整份內容並說明哪裡有誤，正確之前不會儲存。',
  settings: '設定', tenantName: '名稱', utcOffset: 'UTC 時差（分鐘）', resolutionTags: '算作「已解決」的結果標籤', speechSettings: '語音', limits: '流程限制', numbersBy: '電話號碼（由供應商設定）', keys: 'API 金鑰', kind: '種類', prefix: '開頭', newTenantKey: '新增租戶金鑰', newWidgetKey: '新增網頁通話金鑰', keyOnce: '新金鑰（只顯示這一次）', audit: '變更紀錄', when: '時間', who: '誰', action: '動作', target: '對象', detail: '內容',
  analytics: '對話分析', notUnderstood: '聽不懂的比例', topIntents: '最常見的意圖', topQuestions: '最常被問的問題', missed: '機器人沒聽懂的話（依語意分組）', missedHelp: '來電者說了、但系統什麼都沒讀懂的話，以及轉接前的最後一句。每組可直接寫好答案、加成常見問題。', byMeaning: '（以語意模型分組）', byWords: '（以共同字詞分組）', noMissed: '這段期間沒有聽不懂的話。', turnsSaid: '句', beforeTransfer: '句在轉接前', suggestFaq: '建議的常見問題：寫上答案後加入', def_not_understood_rate: '系統的理解在來電者的話裡什麼都沒找到（沒有意圖、訂單、問題的答案或常見問題）的比例，以流程詢問過的句子為分母。',
  chat: '對話測試（可選任何版本）', cases: '測試案例與重播', noCases: '還沒有測試案例：在通話頁把一通電話存成案例。', replay: '重播所有案例', changed: '有變化', unchanged: '相同', expected: '預期', actual: '這次', saveCase: '存成測試案例', caseSaved: '已存成測試案例。', saved: '已儲存。', loading: '載入中…', open: '開啟', calls_n: '通話數', perTenant: '各租戶',
  // Each figure's definition (the API gives the English one with its figures).
  def_offered: '期間內結束、打進此租戶的來電，包括機器人開口前就被拒絕的（黑名單、沒有啟用的流程）。外撥另計。',
  def_answered: '機器人有對來電者說話的通話。',
  def_containment_rate: '機器人自己完成、沒有轉真人、沒有要求回撥、來電者也沒有先掛斷的通話，除以接聽數。Dialogflow CX 把沒轉真人的都算自助完成；我們另外排除放棄與回撥。',
  def_transfer_rate: '轉給真人的通話，除以接聽數。',
  def_resolution_rate: '帶有租戶「解決」標籤（流程設定，例如 order-placed、faq-answered；租戶設定 analytics.resolution_tags）的通話，除以接聽數。以通話結束當時的設定為準。',
  def_abandonment_rate: '對話還沒結束、也沒有解決標籤時，來電者就掛斷的通話，除以全部通話。Genesys 算的是排隊中、專員接起前掛斷；機器人立即接聽，所以中途離開機器人就算放棄。',
  def_average_handle_time_s: '接聽通話從接起到掛斷或轉出的平均時長（秒）。Genesys 的 AHT 是專員的通話＋保留＋事後處理；機器人沒有保留與事後處理，所以就是通話時間。',
  def_orders: '通話中成立的訂單，以及依幣別加總的金額（營收），以目錄的最小單位計。',
  def_reply_latency: '語音通話中，從來電者說完到機器人回答的第一個聲音：p50 與 p95，精度 50 毫秒。',
  def_flow_errors: '租戶流程出錯（trap、逾時或回傳無效動作）的通話。',
};
const en = {
  tickets: 'Tickets', campaigns: 'Campaigns', needsPerson: 'needs a person', theCall: 'the call', overdue: 'overdue', assignee: 'Assignee', addNote: 'Add a note…',
  newTicket: 'New ticket', orderId: 'Order id (ord_…)', description: 'What happened', openTicket: 'Open ticket', ticketsOpen: 'open',
  noTickets: 'No tickets.', customer: 'Customer', order: 'Order', remove: 'Remove',
  tk_complaint: 'Complaint', tk_return: 'Return', tk_exchange: 'Exchange', tk_inquiry: 'Inquiry',
  ts_open: 'Open', ts_in_progress: 'In progress', ts_resolved: 'Resolved', ts_closed: 'Closed',
  progress: 'Progress', attempts: 'attempts', attemptsCol: 'Attempts', pause: 'Pause', resumeCampaign: 'Resume', cancel: 'Cancel campaign', noSurveys: 'No survey answers yet.',
  averageRating: 'average rating', rated: 'rated', comments: 'Comments', window: 'Calling window', maxAttempts: 'Attempts at most', surveyResults: 'Survey results',
  recipients: 'Recipients', nextCall: 'Next call', chooseCsv: 'Choose a CSV file', newCampaign: 'New campaign', purpose: 'Purpose',
  pu_survey: 'Satisfaction survey (1–5 and a comment)', pu_follow_up: 'Follow-up', windowHint: "In the callee's local time; per line: days open-close, 1 is Monday",
  retryBusy: 'Retry after busy (minutes)', retryNoAnswer: 'Retry after no answer (minutes)', retryFailed: 'Retry after a failure (minutes)', fromCsv: 'Upload a CSV',
  csvFile: 'CSV file', csvHint: 'A header line: phone (required), name, utc_offset; other columns go to the flow', fromOrders: 'From the orders',
  daysAgo: 'Days ago (1 = yesterday)', startCampaign: 'Start calling', imported: 'Imported', duplicates: 'Duplicates skipped', line: 'Line',
  doNotCall: 'Do-not-call list', nobodyListed: 'Nobody is on the list.', src_flow: 'asked on a call', src_operator: 'added in the console', src_api: 'added by the API',
  notDialling: 'This server runs without SIP: campaigns wait until one can dial.', noCampaigns: 'No campaigns yet.',
  st_running: 'Running', st_paused: 'Paused', st_cancelled: 'Cancelled', st_completed: 'Completed',
  cs_pending: 'Waiting', cs_dialing: 'Dialling', cs_completed: 'Completed', cs_unreached: 'Unreached', cs_do_not_call: 'Do not call', cs_cancelled: 'Cancelled',
  ao_answered: 'answered', ao_busy: 'busy', ao_no_answer: 'no answer', ao_failed: 'failed', ao_interrupted: 'cut short (restart)',
  callBack: 'Call back', passwordPlain: 'Password', callbackFailed: 'The callback was not answered.',

  newOrder: 'New order', correctOrder: 'Correct the order', quantity: 'Qty', fulfilment: 'Fulfilment', pickup: 'Pickup', delivery: 'Delivery',
  replacesOrder: 'Replaces order', placeOrder: 'Place the order',

  hold: 'Hold', resume: 'Resume', onHold: 'The caller is on hold: they hear the hold chime; neither of you hears the other.', transferTo: 'Transfer to…', queue: 'Queue',
  transfers_per_agent: 'Transfers per agent',

  queued: 'Queued', average_speed_of_answer_s: 'Average speed of answer', average_time_in_queue_s: 'Average time in queue', queue_abandonment_rate: 'Abandoned in queue',
  service_level: 'Service level', agent_handle_time_s: 'Agent handle time', average_wrap_up_s: 'Average wrap-up', calls_per_agent: 'Calls per agent',

  agents: 'Agents & queues', withheld: 'number withheld', reason: 'Reason', summary: 'Bot summary', orderThisCall: 'Order on this call', pastOrders: 'Past orders',
  sp_caller: 'Caller', sp_bot: 'Bot', sp_system: 'System', wrapUp: 'Wrap-up', notes: 'Notes', scheduleCallback: 'Schedule a callback',
  due: 'Due', taskNote: 'Task', finishWrapUp: 'Finish wrap-up', dueNeeded: 'When is the callback due?', done: 'Done', dueNow: 'Due', taskOpen: 'Open',
  noTasks: 'No follow-ups.', desk: 'Agent desk', connectedNow: 'Connected', reconnecting: 'Reconnecting', myState: 'My state',
  st_available: 'Available', st_away: 'Away', st_offline: 'Offline', st_on_call: 'On a call', st_wrap_up: 'Wrap-up',
  incoming: 'Incoming call', accept: 'Accept', decline: 'Pass', callEnded: 'Call ended', deskTalking: 'Talking', connecting: 'Connecting', hangUp: 'Hang up',
  waitingForCalls: 'Waiting for calls.', notTakingCalls: 'Not taking calls: set your state to Available to start.', followUps: 'Follow-ups',
  hoursFormat: 'Hours look like "1-5 09:00-18:00" (1 is Monday)', group: 'Group', q_ring_secs: 'Ring each agent (s)',
  q_announce_every_secs: 'Announce the position every (s)', q_max_wait_secs: 'Longest wait (s)', q_service_level_secs: 'Service level: answered within (s)',
  q_fallback: 'When the wait runs out', q_whisper: 'Whisper the summary to the agent', q_hours: 'Hours (per line: days open-close; empty: always)',
  queues: 'Queues', queuesHelp: 'A transfer target whose URI is queue:<id> sends the flow\'s transfers to that queue, answered at the agent desk.',
  addQueue: 'Add a queue', deskUsers: 'Desk users', login: 'Login', groups: 'Groups (comma separated)', password: 'Password (10 characters or more)',
  addDeskUser: 'Add a desk user', operatorSignIn: 'Operator', agentSignIn: 'Agent', nowOnDesk: 'Agents now', waitingCallers: 'Callers waiting',

  f_id: 'Id', nameZh: 'Chinese name', nameEn: 'English name', aliases: 'Aliases (comma separated)', sizeCol: 'Size', price: 'Price', currency: 'Currency', products: 'Products', addProduct: 'Add a product',

  general: 'General', numberLines: 'Numbers (one per line, E.164)', telephonySettings: 'Phone and browser calls', agentsSection: 'Transfer targets', addAgent: 'Add a target',
  notANumber: 'must be a number', keepPassword: '(unchanged)', f_uri: 'SIP URI', f_mode: 'Transfer mode', c_bridged: 'Dial and bridge', c_blind: 'Blind (REFER)',
  c_bot: 'Back to the bot', c_callback: 'Take a callback and end', f_utc_offset_minutes: 'UTC offset (minutes)',
  f_end_of_turn_ms: 'Longest pause in a turn (ms)', f_end_of_turn_min_ms: 'Pause that ends a finished turn (ms)', f_semantic_end_of_turn: 'A model decides whether the caller is done',
  f_turn_complete_threshold: 'Probability that counts as done (0.05–0.95)', f_min_speech_ms: 'Shortest speech (ms; shorter is noise)', f_speed: 'Speaking speed (1.0: the voice\'s own)',
  f_caller_languages: 'Languages callers may speak (zh, en …)', f_ring_ms: 'Ring before answering (ms)', f_max_call_secs: 'Longest call (s)',
  f_barge_in: 'Callers may interrupt the bot', f_recording: 'Record calls (after a consent prompt)', f_consent_prompt: 'Consent prompt (empty: the default)',
  f_transfer_timeout_secs: 'Agent rings at most (s)', f_transfer_fallback: 'When nobody answers', f_max_browser_calls: 'Browser calls at once',
  f_allowed_sources: 'Allowed source IPs / CIDR (empty: any)', f_allowed_origins: 'Sites that may embed the call widget', f_outbound_proxy: 'Outbound trunk (SIP URI)',
  f_sip_user: 'SIP digest user (empty: no auth)', f_sip_password: 'SIP digest password', f_event_deadline_ms: 'Flow time per event (ms)', f_memory_mib: 'Flow memory per call (MiB)',

  title: 'Switchboard console', signIn: 'Sign in', key: 'Admin token or tenant API key', keyHelp: 'The provider signs in with the admin token and sees every tenant; a tenant signs in with its API key and sees only its own data.',
  signOut: 'Sign out', dashboard: 'Dashboard', calls: 'Calls', orders: 'Orders', faq: 'FAQ', flows: 'Flows', tenants: 'Tenants',
  period: 'Period', bucket: 'Bucket', hour: 'Hourly', day: 'Daily', week: 'Weekly', last7: 'Last 7 days', last30: 'Last 30 days', today: 'Today',
  offered: 'Calls offered', answered: 'Answered', containment_rate: 'Containment', transfer_rate: 'Transfer rate', resolution_rate: 'Resolution rate',
  abandonment_rate: 'Abandonment', average_handle_time_s: 'Average handle time', orders_n: 'Orders', revenue: 'Revenue', reply_latency: 'Reply latency p50 / p95',
  flow_errors: 'Flow errors', callbacks: 'Callback requests', definition: 'Definition', topTags: 'Most frequent outcome tags', noData: 'No calls in this period.',
  allTenants: 'All tenants', tenant: 'Tenant', from: 'From', to: 'To', outcome: 'Outcome', channel: 'Channel', tag: 'Tag', text: 'Transcript contains',
  search: 'Search', any: 'Any', started: 'Started', caller: 'Caller', turns: 'Turns', transcript: 'Transcript', recording: 'Recording',
  transfer: 'Transfer', flowError: 'Flow error', back: 'Back', latencyMs: 'reply', status: 'Status', total: 'Total', phone: 'Phone', name: 'Name',
  items: 'Items', save: 'Save', add: 'Add', delete: 'Delete', question: 'Question', answer: 'Answer', language: 'Language', keywords: 'Keywords (comma-separated)',
  upload: 'Upload a new version', activate: 'Activate', rollBack: 'Roll back to this version', active: 'active', version: 'Version', uploaded: 'Uploaded', size: 'Size',
  create: 'Create', numbers: 'Numbers (comma-separated)', newKey: "The new tenant's API key (shown this once)", notFound: 'This page does not exist, or you may not see it.',
  live: 'Live calls', liveOn: 'Updating live.', noLive: 'Nobody is on a call.', talking: 'talking',
  customers: 'Customers', catalogue: 'Catalogue', address: 'Address', blocked: 'Blocked', catalogueHelp: 'Edit products, aliases, sizes and prices here; the whole catalogue, option groups included, as JSON. The server checks all of it and says what is wrong; nothing is stored until it is right.',
  settings: 'Settings', tenantName: 'Name', utcOffset: 'UTC offset (minutes)', resolutionTags: 'Outcome tags that count as resolved', speechSettings: 'Speech', limits: 'Flow limits', numbersBy: 'Numbers (set by the provider)', keys: 'API keys', kind: 'Kind', prefix: 'Starts with', newTenantKey: 'New tenant key', newWidgetKey: 'New widget key', keyOnce: 'The new key (shown this once)', audit: 'Audit log', when: 'When', who: 'Who', action: 'Action', target: 'Target', detail: 'Detail',
  analytics: 'Analytics', notUnderstood: 'Turns not understood', topIntents: 'Most frequent intents', topQuestions: 'Most asked FAQ questions', missed: 'What the bot did not understand, grouped by meaning', missedHelp: 'What callers said that the host found nothing in, and the last words before each transfer. Answer a group and add it to the FAQ.', byMeaning: '(grouped by the sentence model)', byWords: '(grouped by shared words)', noMissed: 'Nothing went unheard in this period.', turnsSaid: 'turns', beforeTransfer: 'before a transfer', suggestFaq: 'Suggested FAQ entry: write the answer and add it', def_not_understood_rate: 'Caller turns in which the host found nothing (no intent, no order, no answer to the question, no FAQ entry), over the turns the flow asked it about.',
  chat: 'Try it (any version)', cases: 'Test cases and replay', noCases: 'No test cases yet: save a call as one from its page.', replay: 'Replay every case', changed: 'changed', unchanged: 'the same', expected: 'Expected', actual: 'This time', saveCase: 'Save as a test case', caseSaved: 'Saved as a test case.', saved: 'Saved.', loading: 'Loading…', open: 'Open', calls_n: 'Calls', perTenant: 'Per tenant',
};

export let lang = localStorage.getItem('sb-lang') || (navigator.language.startsWith('zh') ? 'zh-TW' : 'en');

export function setLang(l) {
  lang = l;
  localStorage.setItem('sb-lang', l);
  document.documentElement.lang = l;
}

export function t(key) {
  const d = lang === 'zh-TW' ? zh : en;
  return d[key] ?? en[key] ?? key;
}

export function when(ms) {
  return ms ? new Date(ms).toLocaleString(lang === 'zh-TW' ? 'zh-TW' : 'en-GB') : '';
}
