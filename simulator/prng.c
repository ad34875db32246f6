/* xoshiro256** with SplitMix64 seeding: integer-only, so every run replays bit for bit. */
#include "prng.h"

#include <assert.h>

static uint64_t splitmix64(uint64_t *state) {
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) {
    return (x << k) | (x >> (64 - k));
}

void prng_seed(struct prng *prng, uint64_t seed) {
    uint64_t state = seed;
    for (int i = 0; i < 4; i++) prng->s[i] = splitmix64(&state);
    assert((prng->s[0] | prng->s[1] | prng->s[2] | prng->s[3]) != 0);
}

uint64_t prng_next(struct prng *prng) {
    uint64_t *s = prng->s;
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Lemire's multiply-shift reduction on 32 bits is enough for our bounds; 64-bit bounds
 * use the modulo, whose tiny bias does not matter for test decisions. */
uint64_t prng_below(struct prng *prng, uint64_t bound) {
    assert(bound > 0);
    if (bound <= UINT32_MAX) {
        return ((prng_next(prng) >> 32) * bound) >> 32;
    }
    return prng_next(prng) % bound;
}

bool prng_chance(struct prng *prng, uint32_t numerator, uint32_t denominator) {
    assert(denominator > 0 && numerator <= denominator);
    return prng_below(prng, denominator) < numerator;
}

uint64_t prng_log_uniform(struct prng *prng, uint64_t max) {
    assert(max >= 1);
    uint32_t bits = 0;
    while (bits < 63 && (1ull << (bits + 1)) <= max) bits++;
    const uint32_t exponent = (uint32_t)prng_below(prng, bits + 1);
    const uint64_t low = 1ull << exponent;
    uint64_t value = low + prng_below(prng, low);
    return value > max ? max : value;
}

uint64_t prng_mix(uint64_t a, uint64_t b) {
    uint64_t state = a ^ rotl(b, 29) ^ 0x6a09e667f3bcc909ull;
    return splitmix64(&state);
}
