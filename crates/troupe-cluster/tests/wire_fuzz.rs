//! Whatever bytes a peer sends, decoding them never panics (SPEC §3.6: no panic reachable
//! from input): random casts through `unpack` and every part through `Frame::decode`, and
//! real frames with bytes flipped or cut.

use proptest::prelude::*;
use troupe_cluster::wire::{Frame, WireMessage, WireOp, WireValue, pack, unpack};

/// Decode every frame of a cast; errors are fine, panics are not. On a thread with the
/// cluster runtime's stack, where frames are decoded (the depth bound allows about a
/// thousand MessagePack levels).
fn decode_all(bytes: &[u8]) {
    let bytes = bytes.to_vec();
    std::thread::Builder::new()
        .stack_size(troupe_cluster::STACK)
        .spawn(move || {
            let _ = Frame::decode(&bytes);
            let (frames, _) = unpack(&bytes);
            for f in frames {
                let _ = Frame::decode(f);
            }
        })
        .expect("thread")
        .join()
        .expect("decoding panicked");
}

fn sample() -> Vec<u8> {
    Frame::Op {
        node: "b".into(),
        op: WireOp::Send(WireMessage {
            to: "{a@app:host|0x00001}".into(),
            topic: "t".into(),
            from: Some("{b@app:host|0x00002}".into()),
            payload: WireValue::Map(vec![(
                WireValue::Str(b"k".to_vec()),
                WireValue::Array(vec![WireValue::Int(1), WireValue::Float(2.5)]),
            )]),
            actor: Some(("alice".into(), "{\"role\":\"x\"}".into())),
        }),
    }
    .encode()
    .expect("encodes")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_casts_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        decode_all(&bytes);
    }

    #[test]
    fn damaged_frames_never_panic(flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8), cut in any::<usize>()) {
        let mut f = sample();
        for (at, b) in flips {
            let i = at % f.len();
            f[i] ^= b;
        }
        f.truncate(cut % (f.len() + 1));
        decode_all(&f);
        decode_all(&pack(&[f]));
    }
}
