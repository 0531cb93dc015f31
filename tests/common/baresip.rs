//! baresip as a real phone: it dials the demo number, plays a recorded caller as its
//! microphone, and (with the `sndfile` module) keeps what it heard as a WAV file.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;

use switchboard::speech::audio::Audio;

use crate::common::Server;
use crate::sipp;

/// One finished baresip call.
pub struct Call {
    /// baresip's own log.
    pub log: String,
    /// Where its files are.
    pub dir: PathBuf,
}

impl Call {
    /// What the caller heard (8 kHz), from baresip's `sndfile` dump of the decoded stream.
    pub fn heard(&self) -> Audio {
        let dump = std::fs::read_dir(&self.dir)
            .expect("baresip directory")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("dump-") && n.to_string_lossy().ends_with("-dec.wav")))
            .unwrap_or_else(|| panic!("no received-audio dump in {} (baresip log:\n{})", self.dir.display(), self.log));
        Audio::read_wav(&dump).unwrap_or_else(|e| panic!("{}: {e:#}", dump.display()))
    }
}

/// baresip calls the demo number as `number`, plays `caller` (8 kHz) as its microphone, and hangs
/// up `after_secs` seconds after the file has ended, as a person would. `record`: keep what it heard.
pub fn call(server: &Server, caller: &Audio, number: &str, after_secs: f64, record: bool) -> Call {
    let mut caller = Audio { rate: caller.rate, samples: caller.samples.clone() };
    caller.samples.extend(vec![0.0; (caller.rate as f64 * after_secs) as usize]);
    let dir = server.data_dir.join(format!("baresip-{}", number.trim_start_matches('+')));
    std::fs::create_dir_all(&dir).unwrap();
    caller.write_wav(&dir.join("caller.wav")).unwrap();
    let sip_port = sipp::baresip_port();
    let dump = if record { format!("module sndfile.so\nsnd_path {}\n", dir.display()) } else { String::new() };
    std::fs::write(
        dir.join("config"),
        format!(
            "poll_method epoll\nsip_listen 127.0.0.1:{sip_port}\naudio_player aubridge,nowhere\n\
             audio_alert aubridge,nowhere\naudio_source aufile,{}\nmodule_path /usr/lib/baresip/modules\n\
             module g711.so\nmodule aufile.so\nmodule aubridge.so\n{dump}module_app account.so\nmodule_app menu.so\n",
            dir.join("caller.wav").display()
        ),
    )
    .unwrap();
    std::fs::write(dir.join("accounts"), format!("<sip:{number}@127.0.0.1>;regint=0;audio_codecs=PCMU\n")).unwrap();
    let target = format!("/dial sip:{}@{}", sipp::DEMO_NUMBER, server.sip.expect("a server with SIP"));
    // baresip's own limit only stops a caller that was never answered.
    let seconds = (caller.duration_secs() + 30.0) as u64;
    let out = Command::new("baresip")
        .arg("-f")
        .arg(&dir)
        .args(["-e", &target, "-t", &seconds.to_string()])
        .output()
        .expect("baresip (scripts/setup installs it)");
    let log = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(log.contains("Call established"), "baresip log:\n{log}");
    Call { log, dir }
}
