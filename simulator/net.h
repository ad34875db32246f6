/* The network workload's parts: framing, the echo server and the clients. */
#ifndef SIMULATOR_NET_H
#define SIMULATOR_NET_H

#include <netinet/in.h>

#include "run.h"

#define NET_CLIENTS_MAX  4u
#define NET_FRAMES_MAX   24u
#define NET_FRAME_MAX    1024u
#define NET_STREAM_MAX   (NET_FRAMES_MAX * NET_FRAME_MAX)
#define NET_FRAME_HEADER 20u

/* Frames: {len, client, session, seq, crc} then payload; crc covers all but itself. */
uint32_t net_build_session(uint8_t *stream, uint64_t seed, uint32_t client, uint32_t session,
                           uint32_t frames, struct prng *rng);
/* Parses one frame at the front of `bytes`: 0 if more bytes are needed, -1 if it is
 * malformed, else its length. */
int32_t net_parse_frame(const uint8_t *bytes, uint32_t size, uint32_t *client, uint32_t *session,
                        uint32_t *seq);

/* Every RESET the sim injects fails the send it hit with -ECONNRESET: the workload counts
 * the resets its send callbacks saw, to check that none was swallowed on the way. */
void net_resets_clear(void);
void net_note_result(int32_t result);
uint64_t net_resets_seen(void);

/* Faults that can legitimately end a connection early. */
bool net_breaking_faults(void);

/* Server (net_server.c). */
bool net_server_start(struct run *run, struct sockaddr_in *address);
void net_server_stop_accepting(struct run *run);
bool net_server_idle(void);
void net_server_forget(void);
void net_server_close_all(void);

/* Clients (net_client.c). */
void net_clients_start(struct run *run, const struct sockaddr_in *address, bool first_life);
bool net_clients_finished(void);
void net_clients_forget(void);
void net_clients_close_all(void);
void net_clients_check(struct run *run);

#endif
