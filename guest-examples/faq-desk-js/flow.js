// The FAQ desk: a Switchboard flow written in JavaScript, built into a WebAssembly
// component against wit/flow.wit with `jco componentize` (see README.md here).
//
// It greets in the tenant's language, answers each question from the tenant's FAQ
// (the host's search: words and meaning, both languages), hands the caller to a
// person on request, and says goodbye when the caller is done. Everything it reads
// is scoped by the host to the tenant that owns the call.

import { search } from 'switchboard:flow/knowledge@0.1.2';
import { analyse } from 'switchboard:flow/understand@0.1.2';
import { callGet, callSet } from 'switchboard:flow/state@0.1.2';
import { log } from 'switchboard:flow/log@0.1.2';

// A FAQ answer counts from this score (the host's scale, 0 to 1).
const ANSWERS_FROM = 0.35;

const say = (text) => ({ tag: 'say', val: { text, language: undefined, interruptible: true } });
const listen = () => ({ tag: 'gather', val: { modes: { speech: true, dtmf: true }, timeoutMs: 8000, maxDigits: 1 } });
const zh = (call) => (call.speaking ?? call.language).toLowerCase().startsWith('zh');

// How many turns in a row were not understood (kept in call state).
function misses(change) {
  const n = change === 0 ? 0 : Number(callGet('misses') ?? '0') + change;
  callSet('misses', String(n));
  return n;
}

function transfer(call, reason, summary) {
  return [
    say(zh(call) ? '好的，為您轉接專人，請稍候。' : 'Of course, I am putting you through to a colleague.'),
    { tag: 'transfer', val: { target: undefined, reason, summary } },
  ];
}

function onUtterance(call, text) {
  let analysis;
  try {
    analysis = analyse(text);
  } catch (e) {
    log('warn', `understanding unavailable: ${e}`);
    analysis = { intents: [] };
  }
  // Answer in the language the caller used, when the words show it.
  call = { ...call, speaking: analysis.language ?? call.language };
  const intents = analysis.intents.map((m) => m.name);
  if (intents.includes('agent')) {
    return transfer(call, 'caller-request', `FAQ desk caller ${call.caller} asked for a person: "${text}"`);
  }
  if (intents.includes('done')) {
    return [
      say(zh(call) ? '謝謝您的來電，再見！' : 'Thank you for calling. Goodbye!'),
      { tag: 'hangup', val: 'caller-done' },
    ];
  }
  let hits = [];
  try {
    hits = search(text, zh(call) ? 'zh' : 'en', 3);
  } catch (e) {
    log('warn', `FAQ search failed: ${e}`);
  }
  const best = hits.find((h) => h.score >= ANSWERS_FROM);
  if (best) {
    misses(0);
    const more = zh(call) ? '還有其他問題嗎？' : 'Anything else I can help with?';
    return [say(best.answer), { tag: 'tag', val: ['faq-answered'] }, say(more), listen()];
  }
  if (misses(1) >= 2) {
    return transfer(call, 'not-understood', `FAQ desk could not answer ${call.caller}: "${text}"`);
  }
  const again = zh(call)
    ? '抱歉，這個問題我不確定。可以換個方式問嗎？'
    : "Sorry, I'm not sure about that. Could you ask another way?";
  return [say(again), listen()];
}

export const handler = {
  handle(call, event) {
    switch (event.tag) {
      case 'call-started':
        return [
          say(zh(call) ? '您好，這裡是常見問題服務，請問有什麼問題？' : 'Hello, this is the help desk. What would you like to know?'),
          listen(),
        ];
      case 'utterance':
        return onUtterance(call, event.val.text);
      case 'dtmf':
        return event.val === '0'
          ? transfer(call, 'caller-request', `FAQ desk caller ${call.caller} pressed 0`)
          : [listen()];
      case 'no-input':
        return [say(zh(call) ? '請問還在線上嗎？' : 'Are you still there?'), listen()];
      default:
        return [];
    }
  },
};
