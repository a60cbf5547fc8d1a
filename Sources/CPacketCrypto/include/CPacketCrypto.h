#ifndef TAPLINE_CPACKETCRYPTO_H
#define TAPLINE_CPACKETCRYPTO_H
// SHA-256 compression and AES-128-GCM on caller-owned fixed storage, for JA4 and QUIC Initial
// decryption on the packet path: no allocation, no context objects. x86-64 uses SHA-NI, AES-NI
// and PCLMULQDQ when the CPU has them (checked once), else portable C (docs/ARCHITECTURE.md).
#include <stddef.h>
#include <stdint.h>

/// An expanded AES-128 key: 11 round keys of 16 bytes, in the byte order AES-NI uses.
typedef struct { uint8_t rk[176]; } tl_aes128_key;

/// Feeds `nblocks` 64-byte blocks into the SHA-256 state `h` (FIPS 180-4 §6.2.2).
void tl_sha256_blocks(uint32_t h[8], const uint8_t *blocks, size_t nblocks);
/// The same with the portable C only (built for BMI2 too, taken when the CPU has it; tests compare paths).
void tl_sha256_blocks_portable(uint32_t h[8], const uint8_t *blocks, size_t nblocks);

/// Expands a 16-byte AES key (FIPS 197 §5.2).
void tl_aes128_expand(tl_aes128_key *k, const uint8_t key[16]);
/// Encrypts one 16-byte block (AES-ECB of one block: QUIC header protection, RFC 9001 §5.4.3).
void tl_aes128_encrypt_block(const tl_aes128_key *k, const uint8_t in[16], uint8_t out[16]);

/// AES-128-GCM with a 12-byte nonce and a 16-byte tag (SP 800-38D). `open` checks the tag over
/// `aad` and the ciphertext first and writes the plaintext to `out` only if it holds: returns 1,
/// else 0. `seal` writes ciphertext to `out` and the tag to `tag`. `out` may not overlap the input.
int tl_aes128gcm_open(const tl_aes128_key *k, const uint8_t nonce[12], const uint8_t *aad, size_t aad_len,
                      const uint8_t *ct, size_t len, const uint8_t tag[16], uint8_t *out);
void tl_aes128gcm_seal(const tl_aes128_key *k, const uint8_t nonce[12], const uint8_t *aad, size_t aad_len,
                       const uint8_t *pt, size_t len, uint8_t *out, uint8_t tag[16]);

/// Which paths run here: bit 0 SHA-NI, bit 1 AES-NI with PCLMULQDQ, bit 2 BMI2 (portable SHA-256).
/// `tl_crypto_force_portable(1)` makes every call take the portable code built for any x86-64,
/// `(2)` the portable code but BMI2's build where the CPU has it, `(0)` the fastest again (tests;
/// not for concurrent use).
int tl_crypto_accelerated(void);
void tl_crypto_force_portable(int on);

#endif
