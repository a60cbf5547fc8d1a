// AES-128 (FIPS 197) and GCM (NIST SP 800-38D) for QUIC Initial packets (RFC 9001 §5).
// x86-64 with AES-NI and PCLMULQDQ: hardware rounds and carry-less GHASH. Otherwise portable C:
// byte-oriented AES and bitwise GHASH, correct but slow (it only runs on CPUs without them).
#include "CPacketCrypto.h"
#include "cpu.h"
#include <string.h>

// MARK: Portable AES

static const uint8_t sbox[256] = {
    0x63, 0x7c, 0x77, 0x7b, 0xf2, 0x6b, 0x6f, 0xc5, 0x30, 0x01, 0x67, 0x2b, 0xfe, 0xd7, 0xab, 0x76,
    0xca, 0x82, 0xc9, 0x7d, 0xfa, 0x59, 0x47, 0xf0, 0xad, 0xd4, 0xa2, 0xaf, 0x9c, 0xa4, 0x72, 0xc0,
    0xb7, 0xfd, 0x93, 0x26, 0x36, 0x3f, 0xf7, 0xcc, 0x34, 0xa5, 0xe5, 0xf1, 0x71, 0xd8, 0x31, 0x15,
    0x04, 0xc7, 0x23, 0xc3, 0x18, 0x96, 0x05, 0x9a, 0x07, 0x12, 0x80, 0xe2, 0xeb, 0x27, 0xb2, 0x75,
    0x09, 0x83, 0x2c, 0x1a, 0x1b, 0x6e, 0x5a, 0xa0, 0x52, 0x3b, 0xd6, 0xb3, 0x29, 0xe3, 0x2f, 0x84,
    0x53, 0xd1, 0x00, 0xed, 0x20, 0xfc, 0xb1, 0x5b, 0x6a, 0xcb, 0xbe, 0x39, 0x4a, 0x4c, 0x58, 0xcf,
    0xd0, 0xef, 0xaa, 0xfb, 0x43, 0x4d, 0x33, 0x85, 0x45, 0xf9, 0x02, 0x7f, 0x50, 0x3c, 0x9f, 0xa8,
    0x51, 0xa3, 0x40, 0x8f, 0x92, 0x9d, 0x38, 0xf5, 0xbc, 0xb6, 0xda, 0x21, 0x10, 0xff, 0xf3, 0xd2,
    0xcd, 0x0c, 0x13, 0xec, 0x5f, 0x97, 0x44, 0x17, 0xc4, 0xa7, 0x7e, 0x3d, 0x64, 0x5d, 0x19, 0x73,
    0x60, 0x81, 0x4f, 0xdc, 0x22, 0x2a, 0x90, 0x88, 0x46, 0xee, 0xb8, 0x14, 0xde, 0x5e, 0x0b, 0xdb,
    0xe0, 0x32, 0x3a, 0x0a, 0x49, 0x06, 0x24, 0x5c, 0xc2, 0xd3, 0xac, 0x62, 0x91, 0x95, 0xe4, 0x79,
    0xe7, 0xc8, 0x37, 0x6d, 0x8d, 0xd5, 0x4e, 0xa9, 0x6c, 0x56, 0xf4, 0xea, 0x65, 0x7a, 0xae, 0x08,
    0xba, 0x78, 0x25, 0x2e, 0x1c, 0xa6, 0xb4, 0xc6, 0xe8, 0xdd, 0x74, 0x1f, 0x4b, 0xbd, 0x8b, 0x8a,
    0x70, 0x3e, 0xb5, 0x66, 0x48, 0x03, 0xf6, 0x0e, 0x61, 0x35, 0x57, 0xb9, 0x86, 0xc1, 0x1d, 0x9e,
    0xe1, 0xf8, 0x98, 0x11, 0x69, 0xd9, 0x8e, 0x94, 0x9b, 0x1e, 0x87, 0xe9, 0xce, 0x55, 0x28, 0xdf,
    0x8c, 0xa1, 0x89, 0x0d, 0xbf, 0xe6, 0x42, 0x68, 0x41, 0x99, 0x2d, 0x0f, 0xb0, 0x54, 0xbb, 0x16};

static inline uint8_t xtime(uint8_t x) { return (uint8_t)((x << 1) ^ ((x >> 7) * 0x1b)); }

static void expand_portable(tl_aes128_key *k, const uint8_t key[16]) {
    static const uint8_t rcon[10] = {0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0x1b, 0x36};
    uint8_t *w = k->rk;
    memcpy(w, key, 16);
    for (int i = 4; i < 44; i++) {
        uint8_t t[4] = {w[4 * i - 4], w[4 * i - 3], w[4 * i - 2], w[4 * i - 1]};
        if (i % 4 == 0) {
            uint8_t u = t[0];
            t[0] = sbox[t[1]] ^ rcon[i / 4 - 1]; t[1] = sbox[t[2]]; t[2] = sbox[t[3]]; t[3] = sbox[u];
        }
        for (int j = 0; j < 4; j++) w[4 * i + j] = w[4 * i - 16 + j] ^ t[j];
    }
}

static void encrypt_portable(const tl_aes128_key *k, const uint8_t in[16], uint8_t out[16]) {
    uint8_t s[16], t[16];
    for (int i = 0; i < 16; i++) s[i] = in[i] ^ k->rk[i];
    for (int r = 1; r <= 10; r++) {
        // SubBytes and ShiftRows: byte (row i % 4, column i / 4) comes from column + row.
        for (int i = 0; i < 16; i++) t[i] = sbox[s[(i + 4 * (i % 4)) % 16]];
        if (r < 10) {
            for (int c = 0; c < 4; c++) {  // MixColumns
                uint8_t *x = t + 4 * c, a0 = x[0], a1 = x[1], a2 = x[2], a3 = x[3], all = a0 ^ a1 ^ a2 ^ a3;
                x[0] ^= all ^ xtime(a0 ^ a1); x[1] ^= all ^ xtime(a1 ^ a2);
                x[2] ^= all ^ xtime(a2 ^ a3); x[3] ^= all ^ xtime(a3 ^ a0);
            }
        }
        for (int i = 0; i < 16; i++) s[i] = t[i] ^ k->rk[16 * r + i];
    }
    memcpy(out, s, 16);
}

// MARK: Portable GHASH: bitwise multiplication in GF(2^128) (SP 800-38D §6.3, Algorithm 1).

static inline uint64_t load_be64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = v << 8 | p[i];
    return v;
}
static inline void store_be64(uint8_t *p, uint64_t v) {
    for (int i = 7; i >= 0; i--) { p[i] = (uint8_t)v; v >>= 8; }
}

typedef struct { uint64_t hi, lo; } u128;

static u128 gf_mul(u128 x, u128 h) {
    u128 z = {0, 0}, v = h;
    for (int i = 0; i < 128; i++) {
        uint64_t bit = i < 64 ? (x.hi >> (63 - i)) & 1 : (x.lo >> (127 - i)) & 1;
        z.hi ^= v.hi & (0 - bit);
        z.lo ^= v.lo & (0 - bit);
        uint64_t lsb = v.lo & 1;
        v.lo = v.lo >> 1 | v.hi << 63;
        v.hi = (v.hi >> 1) ^ (0xe100000000000000ULL & (0 - lsb));
    }
    return z;
}

static void ghash_portable(u128 *y, u128 h, const uint8_t *p, size_t n) {
    while (n > 0) {
        uint8_t b[16] = {0};
        size_t m = n < 16 ? n : 16;
        memcpy(b, p, m);
        y->hi ^= load_be64(b);
        y->lo ^= load_be64(b + 8);
        *y = gf_mul(*y, h);
        p += m;
        n -= m;
    }
}

static inline void counter_block(uint8_t cb[16], const uint8_t nonce[12], uint32_t c) {
    memcpy(cb, nonce, 12);
    cb[12] = (uint8_t)(c >> 24); cb[13] = (uint8_t)(c >> 16); cb[14] = (uint8_t)(c >> 8); cb[15] = (uint8_t)c;
}

static void ctr_portable(const tl_aes128_key *k, const uint8_t nonce[12], const uint8_t *in, size_t len, uint8_t *out) {
    uint8_t cb[16], ks[16];
    uint32_t c = 2;
    for (size_t i = 0; i < len; i += 16, c++) {
        counter_block(cb, nonce, c);
        encrypt_portable(k, cb, ks);
        size_t m = len - i < 16 ? len - i : 16;
        for (size_t j = 0; j < m; j++) out[i + j] = in[i + j] ^ ks[j];
    }
}

// The tag: E(K, J0) XOR GHASH(A || pad || C || pad || len(A) || len(C)).
static void tag_portable(const tl_aes128_key *k, const uint8_t nonce[12], const uint8_t *aad, size_t aad_len,
                         const uint8_t *ct, size_t len, uint8_t tag[16]) {
    uint8_t zero[16] = {0}, hb[16], lens[16], j0[16], ek[16];
    encrypt_portable(k, zero, hb);
    u128 h = {load_be64(hb), load_be64(hb + 8)}, y = {0, 0};
    ghash_portable(&y, h, aad, aad_len);
    ghash_portable(&y, h, ct, len);
    store_be64(lens, (uint64_t)aad_len * 8);
    store_be64(lens + 8, (uint64_t)len * 8);
    ghash_portable(&y, h, lens, 16);
    counter_block(j0, nonce, 1);
    encrypt_portable(k, j0, ek);
    store_be64(tag, y.hi);
    store_be64(tag + 8, y.lo);
    for (int i = 0; i < 16; i++) tag[i] ^= ek[i];
}

#if TL_X86
#include <immintrin.h>
#define TL_AESNI __attribute__((target("aes,pclmul,sse4.1,ssse3")))

// MARK: AES-NI

#define EXPAND_STEP(prev, rcon, dst)                                        \
    do {                                                                    \
        __m128i a = _mm_shuffle_epi32(_mm_aeskeygenassist_si128(prev, rcon), 0xff); \
        __m128i b = prev;                                                   \
        b = _mm_xor_si128(b, _mm_slli_si128(b, 4));                         \
        b = _mm_xor_si128(b, _mm_slli_si128(b, 8));                         \
        dst = _mm_xor_si128(b, a);                                          \
    } while (0)

TL_AESNI static void expand_aesni(tl_aes128_key *k, const uint8_t key[16]) {
    __m128i r[11];
    r[0] = _mm_loadu_si128((const __m128i *)key);
    EXPAND_STEP(r[0], 0x01, r[1]); EXPAND_STEP(r[1], 0x02, r[2]); EXPAND_STEP(r[2], 0x04, r[3]);
    EXPAND_STEP(r[3], 0x08, r[4]); EXPAND_STEP(r[4], 0x10, r[5]); EXPAND_STEP(r[5], 0x20, r[6]);
    EXPAND_STEP(r[6], 0x40, r[7]); EXPAND_STEP(r[7], 0x80, r[8]); EXPAND_STEP(r[8], 0x1b, r[9]);
    EXPAND_STEP(r[9], 0x36, r[10]);
    for (int i = 0; i < 11; i++) _mm_storeu_si128((__m128i *)(k->rk + 16 * i), r[i]);
}

typedef struct { __m128i r[11]; } round_keys;

TL_AESNI static inline void load_keys(round_keys *rk, const tl_aes128_key *k) {
    for (int i = 0; i < 11; i++) rk->r[i] = _mm_loadu_si128((const __m128i *)(k->rk + 16 * i));
}

TL_AESNI static inline __m128i enc1(const round_keys *rk, __m128i b) {
    b = _mm_xor_si128(b, rk->r[0]);
    for (int i = 1; i < 10; i++) b = _mm_aesenc_si128(b, rk->r[i]);
    return _mm_aesenclast_si128(b, rk->r[10]);
}

// GHASH multiply on byte-reversed operands (Gueron and Kounavis, Intel's carry-less
// multiplication white paper, Algorithm 5: Karatsuba-free product, then shift-and-reduce), split
// in two so that several products can be summed before one reduction (both steps are linear).

// Adds the 256-bit carry-less product a·b into (lo, hi).
TL_AESNI static inline void clmul_add(__m128i a, __m128i b, __m128i *lo, __m128i *hi) {
    __m128i t3 = _mm_clmulepi64_si128(a, b, 0x00);
    __m128i t4 = _mm_clmulepi64_si128(a, b, 0x10);
    __m128i t5 = _mm_clmulepi64_si128(a, b, 0x01);
    __m128i t6 = _mm_clmulepi64_si128(a, b, 0x11);
    t4 = _mm_xor_si128(t4, t5);
    *lo = _mm_xor_si128(*lo, _mm_xor_si128(t3, _mm_slli_si128(t4, 8)));
    *hi = _mm_xor_si128(*hi, _mm_xor_si128(t6, _mm_srli_si128(t4, 8)));
}

// The 256-bit product (t3 low, t6 high) shifted and reduced to 128 bits.
TL_AESNI static inline __m128i gf_reduce(__m128i t3, __m128i t6) {
    // Shift the 256-bit product left by one (the operands are bit-reflected).
    __m128i t7 = _mm_srli_epi32(t3, 31);
    __m128i t8 = _mm_srli_epi32(t6, 31);
    t3 = _mm_slli_epi32(t3, 1);
    t6 = _mm_slli_epi32(t6, 1);
    __m128i t9 = _mm_srli_si128(t7, 12);
    t8 = _mm_slli_si128(t8, 4);
    t7 = _mm_slli_si128(t7, 4);
    t3 = _mm_or_si128(t3, t7);
    t6 = _mm_or_si128(t6, t8);
    t6 = _mm_or_si128(t6, t9);
    // Reduce modulo x^128 + x^7 + x^2 + x + 1.
    t7 = _mm_slli_epi32(t3, 31);
    t8 = _mm_slli_epi32(t3, 30);
    t9 = _mm_slli_epi32(t3, 25);
    t7 = _mm_xor_si128(t7, t8);
    t7 = _mm_xor_si128(t7, t9);
    t8 = _mm_srli_si128(t7, 4);
    t7 = _mm_slli_si128(t7, 12);
    t3 = _mm_xor_si128(t3, t7);
    __m128i t2 = _mm_srli_epi32(t3, 1);
    __m128i t4 = _mm_srli_epi32(t3, 2);
    __m128i t5 = _mm_srli_epi32(t3, 7);
    t2 = _mm_xor_si128(t2, t4);
    t2 = _mm_xor_si128(t2, t5);
    t2 = _mm_xor_si128(t2, t8);
    t3 = _mm_xor_si128(t3, t2);
    return _mm_xor_si128(t6, t3);
}

TL_AESNI static inline __m128i gfmul(__m128i a, __m128i b) {
    __m128i lo = _mm_setzero_si128(), hi = _mm_setzero_si128();
    clmul_add(a, b, &lo, &hi);
    return gf_reduce(lo, hi);
}

// H, H^2, H^3, H^4: GHASH over four blocks at once is X0·H^4 + X1·H^3 + X2·H^2 + X3·H, four
// independent products and one reduction instead of four multiplications each waiting on the last.
typedef struct { __m128i h1, h2, h3, h4; } ghash_powers;

#define BSWAP128 _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)

TL_AESNI static inline __m128i load_partial(const uint8_t *p, size_t n) {
    if (n >= 16) return _mm_loadu_si128((const __m128i *)p);
    uint8_t b[16] = {0};
    memcpy(b, p, n);
    return _mm_loadu_si128((const __m128i *)b);
}

TL_AESNI static __m128i ghash_aesni(__m128i y, const ghash_powers *hp, const uint8_t *p, size_t n) {
    const __m128i bs = BSWAP128;
    for (; n >= 64; n -= 64, p += 64) {
        __m128i x0 = _mm_xor_si128(y, _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)p), bs));
        __m128i x1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16)), bs);
        __m128i x2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 32)), bs);
        __m128i x3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 48)), bs);
        __m128i lo = _mm_setzero_si128(), hi = _mm_setzero_si128();
        clmul_add(x0, hp->h4, &lo, &hi);
        clmul_add(x1, hp->h3, &lo, &hi);
        clmul_add(x2, hp->h2, &lo, &hi);
        clmul_add(x3, hp->h1, &lo, &hi);
        y = gf_reduce(lo, hi);
    }
    for (; n >= 16; n -= 16, p += 16)
        y = gfmul(_mm_xor_si128(y, _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)p), bs)), hp->h1);
    if (n > 0) y = gfmul(_mm_xor_si128(y, _mm_shuffle_epi8(load_partial(p, n), bs)), hp->h1);
    return y;
}

TL_AESNI static __m128i j0_block(const uint8_t nonce[12], uint32_t c) {
    uint8_t cb[16];
    counter_block(cb, nonce, c);
    return _mm_loadu_si128((const __m128i *)cb);
}

TL_AESNI static void tag_aesni(const round_keys *rk, const uint8_t nonce[12], const uint8_t *aad, size_t aad_len,
                               const uint8_t *ct, size_t len, uint8_t tag[16]) {
    const __m128i bs = BSWAP128;
    __m128i h = _mm_shuffle_epi8(enc1(rk, _mm_setzero_si128()), bs);
    ghash_powers hp = {h, h, h, h};
    if (aad_len >= 64 || len >= 64) {
        hp.h2 = gfmul(h, h);
        hp.h3 = gfmul(hp.h2, h);
        hp.h4 = gfmul(hp.h3, h);
    }
    __m128i y = _mm_setzero_si128();
    y = ghash_aesni(y, &hp, aad, aad_len);
    y = ghash_aesni(y, &hp, ct, len);
    // len(A) || len(C) in bits, big-endian: after the byte reversal, the low lane holds len(C).
    __m128i lens = _mm_set_epi64x((long long)((uint64_t)aad_len * 8), (long long)((uint64_t)len * 8));
    y = gfmul(_mm_xor_si128(y, lens), h);
    __m128i t = _mm_xor_si128(_mm_shuffle_epi8(y, bs), enc1(rk, j0_block(nonce, 1)));
    _mm_storeu_si128((__m128i *)tag, t);
}

// CTR from counter 2, four blocks at a time so the AES rounds of independent blocks overlap.
TL_AESNI static void ctr_aesni(const round_keys *rk, const uint8_t nonce[12], const uint8_t *in, size_t len, uint8_t *out) {
    const __m128i bs = BSWAP128;
    // The counter block byte-reversed: the 32-bit counter is then lane 0, and adding 1 there counts.
    __m128i ctr = _mm_shuffle_epi8(j0_block(nonce, 2), bs);
    const __m128i one = _mm_set_epi32(0, 0, 0, 1);
    size_t i = 0;
    for (; i + 64 <= len; i += 64) {
        __m128i b0 = _mm_shuffle_epi8(ctr, bs); ctr = _mm_add_epi32(ctr, one);
        __m128i b1 = _mm_shuffle_epi8(ctr, bs); ctr = _mm_add_epi32(ctr, one);
        __m128i b2 = _mm_shuffle_epi8(ctr, bs); ctr = _mm_add_epi32(ctr, one);
        __m128i b3 = _mm_shuffle_epi8(ctr, bs); ctr = _mm_add_epi32(ctr, one);
        b0 = _mm_xor_si128(b0, rk->r[0]); b1 = _mm_xor_si128(b1, rk->r[0]);
        b2 = _mm_xor_si128(b2, rk->r[0]); b3 = _mm_xor_si128(b3, rk->r[0]);
        for (int r = 1; r < 10; r++) {
            b0 = _mm_aesenc_si128(b0, rk->r[r]); b1 = _mm_aesenc_si128(b1, rk->r[r]);
            b2 = _mm_aesenc_si128(b2, rk->r[r]); b3 = _mm_aesenc_si128(b3, rk->r[r]);
        }
        b0 = _mm_aesenclast_si128(b0, rk->r[10]); b1 = _mm_aesenclast_si128(b1, rk->r[10]);
        b2 = _mm_aesenclast_si128(b2, rk->r[10]); b3 = _mm_aesenclast_si128(b3, rk->r[10]);
        _mm_storeu_si128((__m128i *)(out + i), _mm_xor_si128(b0, _mm_loadu_si128((const __m128i *)(in + i))));
        _mm_storeu_si128((__m128i *)(out + i + 16), _mm_xor_si128(b1, _mm_loadu_si128((const __m128i *)(in + i + 16))));
        _mm_storeu_si128((__m128i *)(out + i + 32), _mm_xor_si128(b2, _mm_loadu_si128((const __m128i *)(in + i + 32))));
        _mm_storeu_si128((__m128i *)(out + i + 48), _mm_xor_si128(b3, _mm_loadu_si128((const __m128i *)(in + i + 48))));
    }
    for (; i < len; i += 16) {
        __m128i ks = enc1(rk, _mm_shuffle_epi8(ctr, bs));
        ctr = _mm_add_epi32(ctr, one);
        if (len - i >= 16) {
            _mm_storeu_si128((__m128i *)(out + i), _mm_xor_si128(ks, _mm_loadu_si128((const __m128i *)(in + i))));
        } else {
            uint8_t k[16];
            _mm_storeu_si128((__m128i *)k, ks);
            for (size_t j = 0; j < len - i; j++) out[i + j] = in[i + j] ^ k[j];
        }
    }
}

TL_AESNI static void encrypt_aesni(const tl_aes128_key *k, const uint8_t in[16], uint8_t out[16]) {
    round_keys rk;
    load_keys(&rk, k);
    _mm_storeu_si128((__m128i *)out, enc1(&rk, _mm_loadu_si128((const __m128i *)in)));
}

TL_AESNI static int open_aesni(const tl_aes128_key *k, const uint8_t nonce[12], const uint8_t *aad, size_t aad_len,
                               const uint8_t *ct, size_t len, const uint8_t tag[16], uint8_t *out) {
    round_keys rk;
    load_keys(&rk, k);
    uint8_t t[16];
    tag_aesni(&rk, nonce, aad, aad_len, ct, len, t);
    __m128i d = _mm_xor_si128(_mm_loadu_si128((const __m128i *)t), _mm_loadu_si128((const __m128i *)tag));
    if (!_mm_testz_si128(d, d)) return 0;
    ctr_aesni(&rk, nonce, ct, len, out);
    return 1;
}

TL_AESNI static void seal_aesni(const tl_aes128_key *k, const uint8_t nonce[12], const uint8_t *aad, size_t aad_len,
                                const uint8_t *pt, size_t len, uint8_t *out, uint8_t tag[16]) {
    round_keys rk;
    load_keys(&rk, k);
    ctr_aesni(&rk, nonce, pt, len, out);
    tag_aesni(&rk, nonce, aad, aad_len, out, len, tag);
}
#endif

// MARK: Entry points

static inline int accelerated(void) {
#if TL_X86
    return (tl_cpu_features() & TL_CPU_AES) != 0;
#else
    return 0;
#endif
}

void tl_aes128_expand(tl_aes128_key *k, const uint8_t key[16]) {
#if TL_X86
    if (accelerated()) { expand_aesni(k, key); return; }
#endif
    expand_portable(k, key);
}

void tl_aes128_encrypt_block(const tl_aes128_key *k, const uint8_t in[16], uint8_t out[16]) {
#if TL_X86
    if (accelerated()) { encrypt_aesni(k, in, out); return; }
#endif
    encrypt_portable(k, in, out);
}

int tl_aes128gcm_open(const tl_aes128_key *k, const uint8_t nonce[12], const uint8_t *aad, size_t aad_len,
                      const uint8_t *ct, size_t len, const uint8_t tag[16], uint8_t *out) {
#if TL_X86
    if (accelerated()) return open_aesni(k, nonce, aad, aad_len, ct, len, tag, out);
#endif
    uint8_t t[16], diff = 0;
    tag_portable(k, nonce, aad, aad_len, ct, len, t);
    for (int i = 0; i < 16; i++) diff |= t[i] ^ tag[i];
    if (diff) return 0;
    ctr_portable(k, nonce, ct, len, out);
    return 1;
}

void tl_aes128gcm_seal(const tl_aes128_key *k, const uint8_t nonce[12], const uint8_t *aad, size_t aad_len,
                       const uint8_t *pt, size_t len, uint8_t *out, uint8_t tag[16]) {
#if TL_X86
    if (accelerated()) { seal_aesni(k, nonce, aad, aad_len, pt, len, out, tag); return; }
#endif
    ctr_portable(k, nonce, pt, len, out);
    tag_portable(k, nonce, aad, aad_len, out, len, tag);
}
