//! The real model: sentences that mean the same are closer than ones that do not,
//! across Mandarin and English. Needs `scripts/models.py --only e5-small`.

use std::path::PathBuf;

use switchboard_embed::{Embedder, Role, cosine};

fn model() -> Embedder {
    let dir = std::env::var_os("SWITCHBOARD_MODELS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/switchboard/models"));
    Embedder::load(&dir.join("e5-small/e5-small-q4.bin")).expect("e5-small (scripts/models.py --only e5-small)")
}

#[test]
fn meaning_is_closer_than_words() {
    let m = model();
    assert_eq!(m.dim(), 384);
    let q = m.embed("你們幾點關門", Role::Query).unwrap();
    let hours = m.embed("What are your opening hours?", Role::Passage).unwrap();
    let delivery = m.embed("Do you deliver?", Role::Passage).unwrap();
    assert!((cosine(&q, &q) - 1.0).abs() < 1e-3);
    assert!(cosine(&q, &hours) > cosine(&q, &delivery), "{} vs {}", cosine(&q, &hours), cosine(&q, &delivery));
    let all = m.embed_all(&["What are your opening hours?", "Do you deliver?"], Role::Passage).unwrap();
    assert!(cosine(&all[0], &hours) > 0.99 && cosine(&all[1], &delivery) > 0.99);
    assert!(m.embed("a\0b", Role::Query).is_err());
}
