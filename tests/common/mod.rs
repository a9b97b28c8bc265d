//! Every decoding API over a stream cut as a split says, by the test kit
//! (`sockframe::testing`), under the limits as given: the frames they all
//! yield and how the stream ends.
#![allow(dead_code)]

use std::fmt::Debug;

use sockframe::testing::{check_apis_agree, check_apis_agree_with, Options, Split};
use sockframe::{Error, Framing, Limits, OwnedFrame};

/// Frames decoded before the stream ended, and how it ended.
pub type Outcome<H> = (Vec<OwnedFrame<H>>, Result<(), Error>);

/// Runs every decoding API over `stream` cut as `split` says (the test
/// kit's `check_apis_agree`: `Decoder`, `FrameBuffer` and `FrameReader`,
/// each call's promises checked) and checks they agree; returns their
/// common outcome.
///
/// Under `limits` as given: with `max_streamed_body` apart from
/// `max_frame`, the APIs that hold frames whole and those that stream
/// bodies run each under their own limit (`FrameReader::skip_frame` and
/// `skip_frames` left out), and must still agree.
#[track_caller]
pub fn all_apis<F>(
    framing: &F,
    limits: Limits,
    stream: &[u8],
    split: &Split,
) -> Outcome<F::OwnedHeader>
where
    F: Framing + Clone,
    F::OwnedHeader: Clone + PartialEq + Debug,
{
    if limits.max_frame == limits.max_streamed_body {
        let decoded = check_apis_agree(framing, limits, stream, split);
        return (decoded.frames, decoded.end);
    }
    let options = Options {
        limits_apart: true,
        ..Options::default()
    };
    let agreed = check_apis_agree_with(framing, limits, stream, split, &options);
    assert_eq!(
        (&agreed.whole.frames, &agreed.whole.end),
        (&agreed.streamed.frames, &agreed.streamed.end),
        "the APIs that hold frames whole and those that stream bodies disagree (split {split})"
    );
    (agreed.whole.frames, agreed.whole.end)
}
