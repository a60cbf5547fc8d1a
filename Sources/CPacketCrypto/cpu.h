// CPU feature detection, once per process (relaxed atomics: every thread computes the same value).
#ifndef TAPLINE_CPACKETCRYPTO_CPU_H
#define TAPLINE_CPACKETCRYPTO_CPU_H
#if defined(__x86_64__) || defined(__i386__)
#define TL_X86 1
#else
#define TL_X86 0
#endif
enum { TL_CPU_SHA = 1, TL_CPU_AES = 2, TL_CPU_BMI2 = 4, TL_CPU_KNOWN = 0x100 };
int tl_cpu_features(void);
#endif
