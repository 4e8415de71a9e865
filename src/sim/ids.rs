//! Server-assigned identifiers: prefix + 24 base62 characters, deterministic for a seed.

const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

#[derive(Debug, Clone)]
pub struct IdGen {
    seed: u64,
    counter: u64,
}

fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

impl IdGen {
    pub fn new(seed: u64) -> Self {
        IdGen { seed, counter: 0 }
    }

    /// `prefix` includes the underscore, e.g. `sesn_`.
    pub fn next(&mut self, prefix: &str) -> String {
        self.counter += 1;
        let mut out = String::with_capacity(prefix.len() + 26);
        out.push_str(prefix);
        out.push_str("01");
        let base = splitmix64(self.seed ^ splitmix64(self.counter));
        let mut state = base;
        for i in 0..24u64 {
            // 62^10 < 2^64: refresh the entropy every 10 characters.
            if i % 10 == 0 {
                state = splitmix64(base.wrapping_add(i));
            }
            out.push(ALPHABET[(state % 62) as usize] as char);
            state /= 62;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_prefixed_unique_and_seeded() {
        let mut a = IdGen::new(7);
        let mut b = IdGen::new(7);
        let x = a.next("sesn_");
        assert!(x.starts_with("sesn_01"));
        assert_eq!(x.len(), "sesn_01".len() + 24);
        assert_eq!(x, b.next("sesn_"));
        assert_ne!(a.next("sesn_"), x);
        assert_ne!(IdGen::new(8).next("sesn_"), x);
    }
}
