#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sockframe_fuzz::netstring(data));
