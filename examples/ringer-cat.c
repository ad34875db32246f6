/*
 * ringer-cat FILE: copy FILE to standard output with several reads in flight at once.
 *
 * The file is cut into CHUNK_SIZE pieces. READS_IN_FLIGHT chunk buffers each read one piece;
 * the piece at the front (the next bytes stdout needs) is written as soon as it is full,
 * then its buffer moves on to the next unread piece. So reads overlap with each other and
 * with the write, while stdout still receives the bytes strictly in order.
 *
 * Things every ringer program has to get right, shown here:
 *   - a read may return fewer bytes than asked (a short read): ask again for the rest;
 *   - a read of 0 bytes means end of file;
 *   - a write may also be short: write the rest;
 *   - ringer_deinit is legal only when nothing is in flight.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <ringer.h>

#define READS_IN_FLIGHT  8
#define CHUNK_SIZE       (64u * 1024u)
/* Offset -1 tells the kernel "the current file position", which works for pipes, ttys and
 * regular files alike, so stdout may be redirected anywhere. */
#define CURRENT_POSITION UINT64_MAX

struct cat;

struct chunk {
    struct ringer_completion completion; /* zeroed before first use: the array is static */
    struct cat *cat;
    uint64_t offset; /* where this piece starts in the input file */
    uint32_t filled; /* bytes read so far */
    bool reading;    /* a read is in flight */
    bool ready;      /* full, or ends at end of file */
    uint8_t data[CHUNK_SIZE];
};

struct cat {
    struct ringer_io io;
    int input_fd;
    uint64_t next_offset;   /* the next piece no chunk has claimed yet */
    bool end_of_file;       /* some read returned 0: claim no further pieces */
    unsigned front;         /* index of the chunk stdout needs next */
    uint32_t front_written; /* bytes of the front chunk already on stdout */
    bool writing;
    unsigned reads_in_flight;
    bool finished;
    int32_t error; /* first failure, as a negated errno */
    struct ringer_completion write_completion;
    struct chunk chunks[READS_IN_FLIGHT];
};

static void on_read(void *context, struct ringer_completion *completion, int32_t result);
static void on_write(void *context, struct ringer_completion *completion, int32_t result);

static void start_read(struct cat *cat, struct chunk *chunk) {
    chunk->reading = true;
    cat->reads_in_flight += 1;
    ringer_read(&cat->io, &chunk->completion, cat->input_fd, chunk->data + chunk->filled,
                CHUNK_SIZE - chunk->filled, chunk->offset + chunk->filled, chunk, on_read);
}

/* Gives the chunk the next unread piece of the file, unless the end is already known. */
static void claim_next_piece(struct cat *cat, struct chunk *chunk) {
    chunk->filled = 0;
    chunk->ready = false;
    if (cat->end_of_file) {
        chunk->ready = true; /* an empty piece: nothing left to read */
        return;
    }
    chunk->offset = cat->next_offset;
    cat->next_offset += CHUNK_SIZE;
    start_read(cat, chunk);
}

static void fail(struct cat *cat, int32_t error) {
    if (cat->error == 0) cat->error = error;
    cat->finished = true;
}

/* Writes the front chunk if it is ready and stdout is idle. */
static void write_front(struct cat *cat) {
    struct chunk *chunk = &cat->chunks[cat->front];
    if (cat->writing || cat->finished || !chunk->ready) return;
    if (chunk->filled == cat->front_written) {
        /* Fully written. A chunk that is not full marks the end of the file. */
        if (chunk->filled < CHUNK_SIZE) {
            cat->finished = true;
            return;
        }
        cat->front_written = 0;
        cat->front = (cat->front + 1) % READS_IN_FLIGHT;
        claim_next_piece(cat, chunk);
        write_front(cat); /* the next chunk may already be waiting */
        return;
    }
    cat->writing = true;
    ringer_write(&cat->io, &cat->write_completion, STDOUT_FILENO, chunk->data + cat->front_written,
                 chunk->filled - cat->front_written, CURRENT_POSITION, cat, on_write);
}

static void on_read(void *context, struct ringer_completion *completion, int32_t result) {
    (void)completion;
    struct chunk *chunk = context;
    struct cat *cat = chunk->cat;
    chunk->reading = false;
    cat->reads_in_flight -= 1;
    if (result < 0) {
        fail(cat, result);
        return;
    }
    if (result == 0) {
        cat->end_of_file = true; /* this piece ends here; later pieces are empty */
        chunk->ready = true;
    } else {
        chunk->filled += (uint32_t)result;
        if (chunk->filled < CHUNK_SIZE && !cat->finished) {
            start_read(cat, chunk); /* short read: ask for the rest */
            return;
        }
        chunk->ready = true;
    }
    write_front(cat);
}

static void on_write(void *context, struct ringer_completion *completion, int32_t result) {
    (void)completion;
    struct cat *cat = context;
    cat->writing = false;
    if (result <= 0) {
        /* A 0-byte write makes no progress: treat it as an error instead of looping. */
        fail(cat, result < 0 ? result : -EIO);
        return;
    }
    cat->front_written += (uint32_t)result;
    write_front(cat);
}

static struct cat cat; /* large (the buffers): static, and so already zeroed */

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: ringer-cat FILE\n");
        return 2;
    }
    cat.input_fd = open(argv[1], O_RDONLY | O_CLOEXEC);
    if (cat.input_fd < 0) {
        fprintf(stderr, "ringer-cat: %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    int rc = ringer_init(&cat.io, 64, 0);
    if (rc < 0) {
        fprintf(stderr, "ringer-cat: ringer_init: %s\n", strerror(-rc));
        return 1;
    }
    for (unsigned i = 0; i < READS_IN_FLIGHT; i++) {
        cat.chunks[i].cat = &cat;
        claim_next_piece(&cat, &cat.chunks[i]);
    }
    /* Run until the copy is done and every read we started has come back, because the
     * kernel may write into a chunk until its read completes. */
    while (rc >= 0 && (!cat.finished || cat.reads_in_flight > 0 || cat.writing)) {
        rc = ringer_run_for_ns(&cat.io, 1000000); /* 1 ms: returns after the deadline */
    }
    if (rc < 0) {
        fprintf(stderr, "ringer-cat: the ring failed: %s\n", strerror(-rc));
        return 1; /* the kernel may still hold our buffers: exit without deinit */
    }
    ringer_deinit(&cat.io);
    close(cat.input_fd);
    if (cat.error < 0) {
        fprintf(stderr, "ringer-cat: %s: %s\n", argv[1], strerror(-cat.error));
        return 1;
    }
    return 0;
}
