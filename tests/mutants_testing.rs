//! The test kit, pinned where mutation testing found it loose: the push
//! APIs must take a last frame at the end of the stream, and every kind of
//! `Arbitrary` step must be reachable from fuzzer input (or the fuzz
//! targets never try it).
#![cfg(feature = "testing")]

use sockframe::testing::{check_stream, Split};
use sockframe::{Delimited, Error, Needed, OwnedFrame};

#[test]
fn the_kit_checks_last_frames_through_every_api() {
    let framing = Delimited::lines().take_last_frame(true);
    let frames = [b"a".to_vec(), b"bc".to_vec()].map(|payload| OwnedFrame {
        header: (),
        payload,
    });
    for split in [Split::whole(), Split::bytewise(), Split::at(&[3])] {
        check_stream(
            &framing,
            Default::default(),
            b"a\nbc",
            &frames,
            Ok(()),
            &split,
        );
    }
    // Without `take_last_frame`, the same stream was cut short.
    let cut_short = Err(Error::UnexpectedEof {
        offset: 4,
        needed: Needed::at_least(1),
    });
    check_stream(
        &Delimited::lines(),
        Default::default(),
        b"a\nbc",
        &frames[..1],
        cut_short,
        &Split::bytewise(),
    );
}

#[cfg(feature = "arbitrary")]
#[test]
fn every_kind_of_step_can_be_drawn() {
    use arbitrary::{Arbitrary, Unstructured};
    use sockframe::testing::Step;
    use std::collections::BTreeSet;

    let mut kinds = BTreeSet::new();
    for first in 0..=255u8 {
        for second in [0u8, 7, 255] {
            let data = [first, second, second];
            let step = Step::arbitrary(&mut Unstructured::new(&data)).unwrap();
            kinds.insert(match step {
                Step::Interrupted => "Interrupted",
                Step::WouldBlock => "WouldBlock",
                Step::TimedOut => "TimedOut",
                Step::Bytes(0) => "empty piece",
                Step::Bytes(1..=16) => "small piece",
                Step::Bytes(17..=1024) => "large piece",
                Step::Bytes(usize::MAX) => "the rest",
                Step::Bytes(n) => panic!("a piece of {n} bytes"),
            });
        }
    }
    assert_eq!(kinds.len(), 7, "{kinds:?}");
}
