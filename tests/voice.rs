//! A tea order by audio alone: a recorded caller (our English voice, five
//! turns with pauses) is played into `switchboard chat --voice`, through VAD,
//! speech recognition, the tea-shop flow and speech synthesis. The order must
//! be stored and the bot's audio written.

use std::process::Command;

use switchboard::speech::audio::Audio;

#[path = "common/caller.rs"]
mod caller;

#[test]
fn a_tea_order_placed_by_voice_is_stored() {
    let dir = std::env::temp_dir().join(format!("switchboard-voice-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let caller = caller::spoken_order(16_000, 1.0, 1.5);
    let (caller_wav, bot_wav) = (dir.join("caller.wav"), dir.join("bot.wav"));
    caller.write_wav(&caller_wav).unwrap();

    let out = Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args(["chat", "--asr", "tiny-en", "--caller", "+886955111222", "--voice"])
        .arg(&caller_wav)
        .arg("--out")
        .arg(&bot_wav)
        .output()
        .expect("run switchboard chat --voice");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "stdout:\n{stdout}\nstderr:\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("caller> Two large bubble milk teas"), "{stdout}");
    assert!(stdout.contains("[call ended: completed]"), "{stdout}");
    assert!(stdout.contains("order #1001 stored: 120 TWD total"), "{stdout}");
    // The bot spoke every English reply: read-back, confirmation...
    let bot = Audio::read_wav(&bot_wav).unwrap();
    assert!(bot.duration_secs() > 10.0, "bot audio {} s", bot.duration_secs());
    let _ = std::fs::remove_dir_all(&dir);
}
