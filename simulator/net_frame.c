/* Frame building and parsing for the network workload. */
#include <assert.h>
#include <errno.h>
#include <string.h>

#include "checksum.h"
#include "net.h"

static uint32_t frame_crc(const uint8_t *frame, uint32_t len) {
    uint32_t crc = checksum_crc32c(0, frame, 16);
    return checksum_crc32c(crc, frame + NET_FRAME_HEADER, len - NET_FRAME_HEADER);
}

uint32_t net_build_session(uint8_t *stream, uint64_t seed, uint32_t client, uint32_t session,
                           uint32_t frames, struct prng *rng) {
    assert(frames >= 1 && frames <= NET_FRAMES_MAX);
    uint32_t used = 0;
    for (uint32_t seq = 0; seq < frames; seq++) {
        const uint32_t len =
            NET_FRAME_HEADER + 1 + (uint32_t)prng_below(rng, NET_FRAME_MAX - NET_FRAME_HEADER);
        uint8_t *frame = stream + used;
        const uint32_t header[4] = {len, client, session, seq};
        memcpy(frame, header, sizeof(header));
        checksum_fill_pattern(
            frame + NET_FRAME_HEADER, len - NET_FRAME_HEADER,
            prng_mix(seed, ((uint64_t)client << 40) ^ ((uint64_t)session << 20) ^ seq));
        const uint32_t crc = frame_crc(frame, len);
        memcpy(frame + 16, &crc, sizeof(crc));
        used += len;
    }
    assert(used <= NET_STREAM_MAX);
    return used;
}

int32_t net_parse_frame(const uint8_t *bytes, uint32_t size, uint32_t *client, uint32_t *session,
                        uint32_t *seq) {
    if (size < NET_FRAME_HEADER) return 0;
    uint32_t header[5];
    memcpy(header, bytes, sizeof(header));
    const uint32_t len = header[0];
    if (len <= NET_FRAME_HEADER || len > NET_FRAME_MAX) return -1;
    if (size < len) return 0;
    if (header[4] != frame_crc(bytes, len)) return -1;
    *client = header[1];
    *session = header[2];
    *seq = header[3];
    return (int32_t)len;
}

static uint64_t resets_seen;

void net_resets_clear(void) {
    resets_seen = 0;
}

void net_note_result(int32_t result) {
    if (result == -ECONNRESET) resets_seen += 1;
}

uint64_t net_resets_seen(void) {
    return resets_seen;
}

bool net_breaking_faults(void) {
    static const enum ringer_sim_fault_class breaking[] = {
        RINGER_SIM_FAULT_RESET,         RINGER_SIM_FAULT_PARTITION, RINGER_SIM_FAULT_ERRNO,
        RINGER_SIM_FAULT_CQE_ECANCELED, RINGER_SIM_FAULT_REFUSE,    RINGER_SIM_FAULT_ACCEPT_ABORT,
        RINGER_SIM_FAULT_CQE_EAGAIN,
    };
    return run_any_fault(breaking, sizeof(breaking) / sizeof(breaking[0]));
}
