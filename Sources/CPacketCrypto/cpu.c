#include "CPacketCrypto.h"
#include "cpu.h"
#if TL_X86
#include <cpuid.h>
#endif

static int features;  // 0 = not yet read; TL_CPU_KNOWN set once read
static int portable;

static int detect(void) {
    int f = TL_CPU_KNOWN;
#if TL_X86
    unsigned a, b, c, d;
    if (__get_cpuid(1, &a, &b, &c, &d)) {
        // AES-NI (ecx 25), PCLMULQDQ (ecx 1), SSSE3 (ecx 9), SSE4.1 (ecx 19).
        int sse = (c & (1u << 9)) && (c & (1u << 19));
        if (sse && (c & (1u << 25)) && (c & (1u << 1))) f |= TL_CPU_AES;
        // Leaf 7: SHA (ebx 29), BMI2 (ebx 8).
        if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
            if (sse && (b & (1u << 29))) f |= TL_CPU_SHA;
            if (b & (1u << 8)) f |= TL_CPU_BMI2;
        }
    }
#endif
    return f;
}

int tl_cpu_features(void) {
    int f = __atomic_load_n(&features, __ATOMIC_RELAXED);
    if (!f) { f = detect(); __atomic_store_n(&features, f, __ATOMIC_RELAXED); }
    switch (__atomic_load_n(&portable, __ATOMIC_RELAXED)) {
    case 0: return f;
    case 2: return TL_CPU_KNOWN | (f & TL_CPU_BMI2);
    default: return TL_CPU_KNOWN;
    }
}

int tl_crypto_accelerated(void) {
    int f = tl_cpu_features();
    return ((f & TL_CPU_SHA) ? 1 : 0) | ((f & TL_CPU_AES) ? 2 : 0) | ((f & TL_CPU_BMI2) ? 4 : 0);
}

void tl_crypto_force_portable(int on) { __atomic_store_n(&portable, on, __ATOMIC_RELAXED); }
