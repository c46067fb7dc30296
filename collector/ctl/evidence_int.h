/* Helpers evidence.c and evidence_verify.c share (not for other modules). */
#ifndef PANTAU_CTL_EVIDENCE_INT_H
#define PANTAU_CTL_EVIDENCE_INT_H

#include "evidence.h"

#define EVIDENCE_MAGIC	 "pantau-evidence v1\n"
#define EVIDENCE_MSG_LEN (sizeof(EVIDENCE_MAGIC) - 1 + 32 + 32 + 8)

/* out = SHA-256(prev || content). 0 or -EIO. */
int evidence_link(const uint8_t prev[32], const char *content, size_t len, uint8_t out[32]);
int evidence_sha256(const void *data, size_t len, uint8_t out[32]);

/* The bytes the signature covers. */
void evidence_signed_message(const uint8_t head[32], const uint8_t chain[32], uint64_t rows,
			     uint8_t msg[EVIDENCE_MSG_LEN]);

/* Appends the end line exactly as the writer writes it (the verifier
 * rebuilds it to compare byte for byte). */
int evidence_end_line(struct buf *out, enum evidence_format fmt, uint64_t rows,
		      const uint8_t head[32], const uint8_t chain[32], const uint8_t pubkey[32],
		      const uint8_t sig[64]);

#endif
