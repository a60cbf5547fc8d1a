// SHA-256 compression (FIPS 180-4 §6.2.2): SHA-NI on x86-64 when present, else unrolled C
// (built for BMI2 too, taken when the CPU has it).
#include "CPacketCrypto.h"
#include "cpu.h"
#include <string.h>

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

#define ROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))
// Σ0 and Σ1 nested (ROTR(ROTR(ROTR(x,9)^x,11)^x,2) = ROTR(x,2)^ROTR(x,13)^ROTR(x,22)): each
// rotate works on the previous result, so x86 needs no register copies without BMI2's rorx.
#define S0(x) ROTR(ROTR(ROTR(x, 9) ^ (x), 11) ^ (x), 2)
#define S1(x) ROTR(ROTR(ROTR(x, 14) ^ (x), 5) ^ (x), 6)
#define s0(x) (ROTR(x, 7) ^ ROTR(x, 18) ^ ((x) >> 3))
#define s1(x) (ROTR(x, 17) ^ ROTR(x, 19) ^ ((x) >> 10))
#define CH(x, y, z) (((x) & ((y) ^ (z))) ^ (z))

static inline uint32_t load_be32(const uint8_t *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return __builtin_bswap32(v);
}

// One round; the eight working variables rotate by renaming, so nothing moves between rounds.
// Maj(a,b,c) = b ^ ((a^b) & (b^c)), and this round's b^c is the last round's a^b (`bc`), so
// Maj costs two operations and a copy of a^b for the next round (`ab`).
#define ROUND(a, b, c, d, e, f, g, h, i, w, ab, bc)                 \
    do {                                                            \
        uint32_t t1 = (h) + S1(e) + CH(e, f, g) + K[i] + (w);       \
        ab = (a) ^ (b);                                             \
        (d) += t1;                                                  \
        (h) = t1 + S0(a) + ((b) ^ (ab & bc));                       \
    } while (0)
// Message schedule on a rolling 16-word window, computed as the rounds need it.
#define W16(i) (w[(i) & 15] += s1(w[((i) - 2) & 15]) + w[((i) - 7) & 15] + s0(w[((i) - 15) & 15]))
#define EIGHT(i, W)                                                         \
    ROUND(a, b, c, d, e, f, g, h, (i) + 0, W((i) + 0), x, y);               \
    ROUND(h, a, b, c, d, e, f, g, (i) + 1, W((i) + 1), y, x);               \
    ROUND(g, h, a, b, c, d, e, f, (i) + 2, W((i) + 2), x, y);               \
    ROUND(f, g, h, a, b, c, d, e, (i) + 3, W((i) + 3), y, x);               \
    ROUND(e, f, g, h, a, b, c, d, (i) + 4, W((i) + 4), x, y);               \
    ROUND(d, e, f, g, h, a, b, c, (i) + 5, W((i) + 5), y, x);               \
    ROUND(c, d, e, f, g, h, a, b, (i) + 6, W((i) + 6), x, y);               \
    ROUND(b, c, d, e, f, g, h, a, (i) + 7, W((i) + 7), y, x)
#define W0(i) (w[i] = load_be32(p + 4 * (i)))

// The portable compression, inlined into one plain build and one for CPUs with BMI2 (rorx
// rotates without overwriting their source, andn: fewer register copies per round).
__attribute__((always_inline))
static inline void sha256_blocks_c(uint32_t st[8], const uint8_t *p, size_t n) {
    for (; n > 0; n--, p += 64) {
        uint32_t w[16];
        uint32_t a = st[0], b = st[1], c = st[2], d = st[3], e = st[4], f = st[5], g = st[6], h = st[7];
        uint32_t x, y = b ^ c;  // y: b^c before round 0 (the "last round's a^b")
        EIGHT(0, W0);
        EIGHT(8, W0);
        EIGHT(16, W16);
        EIGHT(24, W16);
        EIGHT(32, W16);
        EIGHT(40, W16);
        EIGHT(48, W16);
        EIGHT(56, W16);
        (void)x;
        st[0] += a; st[1] += b; st[2] += c; st[3] += d; st[4] += e; st[5] += f; st[6] += g; st[7] += h;
    }
}

static void sha256_blocks_plain(uint32_t st[8], const uint8_t *p, size_t n) { sha256_blocks_c(st, p, n); }

#if TL_X86
__attribute__((target("bmi2")))
static void sha256_blocks_bmi2(uint32_t st[8], const uint8_t *p, size_t n) { sha256_blocks_c(st, p, n); }
#endif

void tl_sha256_blocks_portable(uint32_t st[8], const uint8_t *p, size_t n) {
#if TL_X86
    if (tl_cpu_features() & TL_CPU_BMI2) { sha256_blocks_bmi2(st, p, n); return; }
#endif
    sha256_blocks_plain(st, p, n);
}

#if TL_X86
#include <immintrin.h>

// Four rounds per group; message words for later groups are expanded two and three groups ahead
// (the layout of Intel's SHA extensions reference code).
#define SHANI_GROUP(g, M0, M1, M2, M3)                                                   \
    do {                                                                                 \
        __m128i m = _mm_add_epi32(M0, _mm_loadu_si128((const __m128i *)&K[4 * (g)]));    \
        s1v = _mm_sha256rnds2_epu32(s1v, s0v, m);                                        \
        if ((g) >= 3 && (g) <= 14) {                                                     \
            M1 = _mm_add_epi32(M1, _mm_alignr_epi8(M0, M3, 4));                          \
            M1 = _mm_sha256msg2_epu32(M1, M0);                                           \
        }                                                                                \
        s0v = _mm_sha256rnds2_epu32(s0v, s1v, _mm_shuffle_epi32(m, 0x0E));               \
        if ((g) >= 1 && (g) <= 12) M3 = _mm_sha256msg1_epu32(M3, M0);                    \
    } while (0)

__attribute__((target("sha,sse4.1,ssse3")))
static void sha256_blocks_shani(uint32_t st[8], const uint8_t *p, size_t n) {
    const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    __m128i t = _mm_loadu_si128((const __m128i *)&st[0]);
    __m128i s1v = _mm_loadu_si128((const __m128i *)&st[4]);
    t = _mm_shuffle_epi32(t, 0xB1);              // CDAB
    s1v = _mm_shuffle_epi32(s1v, 0x1B);          // EFGH
    __m128i s0v = _mm_alignr_epi8(t, s1v, 8);    // ABEF
    s1v = _mm_blend_epi16(s1v, t, 0xF0);         // CDGH
    for (; n > 0; n--, p += 64) {
        __m128i abef = s0v, cdgh = s1v;
        __m128i m0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 0)), bswap);
        __m128i m1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16)), bswap);
        __m128i m2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 32)), bswap);
        __m128i m3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 48)), bswap);
        SHANI_GROUP(0, m0, m1, m2, m3);
        SHANI_GROUP(1, m1, m2, m3, m0);
        SHANI_GROUP(2, m2, m3, m0, m1);
        SHANI_GROUP(3, m3, m0, m1, m2);
        SHANI_GROUP(4, m0, m1, m2, m3);
        SHANI_GROUP(5, m1, m2, m3, m0);
        SHANI_GROUP(6, m2, m3, m0, m1);
        SHANI_GROUP(7, m3, m0, m1, m2);
        SHANI_GROUP(8, m0, m1, m2, m3);
        SHANI_GROUP(9, m1, m2, m3, m0);
        SHANI_GROUP(10, m2, m3, m0, m1);
        SHANI_GROUP(11, m3, m0, m1, m2);
        SHANI_GROUP(12, m0, m1, m2, m3);
        SHANI_GROUP(13, m1, m2, m3, m0);
        SHANI_GROUP(14, m2, m3, m0, m1);
        SHANI_GROUP(15, m3, m0, m1, m2);
        s0v = _mm_add_epi32(s0v, abef);
        s1v = _mm_add_epi32(s1v, cdgh);
    }
    t = _mm_shuffle_epi32(s0v, 0x1B);            // FEBA
    s1v = _mm_shuffle_epi32(s1v, 0xB1);          // DCHG
    s0v = _mm_blend_epi16(t, s1v, 0xF0);         // DCBA
    s1v = _mm_alignr_epi8(s1v, t, 8);            // ABEF -> HGFE
    _mm_storeu_si128((__m128i *)&st[0], s0v);
    _mm_storeu_si128((__m128i *)&st[4], s1v);
}
#endif

void tl_sha256_blocks(uint32_t st[8], const uint8_t *p, size_t n) {
#if TL_X86
    if (tl_cpu_features() & TL_CPU_SHA) { sha256_blocks_shani(st, p, n); return; }
#endif
    tl_sha256_blocks_portable(st, p, n);
}
