/* SPDX-License-Identifier: MIT */
/* bench/parse.c - one parser alone on one file, into a sink that only
 * counts: how fast the format's reader is, without the store. Prints
 * "records N problems N bytes N seconds S MB/s R". Not part of ecdiag.
 * usage: parse FORMAT FILE */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/encoding.h"
#include "common/stream.h"
#include "parser/parser.h"

struct counts {
	unsigned long long records, data, problems, bytes_msg;
};

static int
on_event(void *ctx, const struct ec_event *ev)
{
	struct counts *c = ctx;

	c->records++;
	c->data += ev->ndata;
	c->bytes_msg += ev->message.n;
	return 0;
}

static int
on_problem(void *ctx, const struct ec_problem *p)
{
	struct counts *c = ctx;

	(void)p;
	c->problems++;
	return 0;
}

static long
file_read(void *ctx, void *p, size_t n)
{
	size_t r = fread(p, 1, n, ctx);

	return r ? (long)r : ferror((FILE *)ctx) ? -1 : 0;
}

int
main(int argc, char **argv)
{
	const struct ec_format *f;
	struct counts c = { 0 };
	struct ec_sink sink = { .ctx = &c, .event = on_event, .problem = on_problem };
	struct ec_options opt = { 0 };
	struct ec_stream s = { file_read, NULL, NULL };
	struct ec_input in;
	unsigned char head[65536];
	struct timespec t0, t1;
	FILE *fp;
	size_t n;
	double secs;
	long size;

	if (argc != 3 || !(f = ec_format_find(argv[1]))) {
		fprintf(stderr, "usage: parse FORMAT FILE\n");
		return 2;
	}
	if (!(fp = fopen(argv[2], "rb"))) {
		perror(argv[2]);
		return 1;
	}
	n = fread(head, 1, sizeof(head), fp);
	fseek(fp, 0, SEEK_END);
	size = ftell(fp);
	rewind(fp);
	s.ctx = fp;
	in.in = &s;
	in.enc = enc_sniff(head, n);
	in.name = argv[2];
	in.opt = &opt;
	in.sink = &sink;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	f->parse(&in);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("records %llu data %llu problems %llu bytes %ld seconds %.3f MB/s %.0f\n", c.records, c.data,
	       c.problems, size, secs, (double)size / 1e6 / secs);
	fclose(fp);
	return 0;
}
