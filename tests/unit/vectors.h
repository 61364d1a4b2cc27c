/*
 * vectors.h: the messages captured from real zebras by
 * tests/unit/vectors/capture.sh, loaded for the unit tests.
 */
#ifndef RP_TEST_VECTORS_H
#define RP_TEST_VECTORS_H

#include <stddef.h>
#include <stdint.h>

struct vec_msg {
	char		 dir;		/* '>' we sent it, '<' zebra did */
	char		 label[48];	/* "caps", "interface_up_vcap0", ... */
	uint8_t		*p;
	size_t		 n;
};

struct vec_file {
	struct vec_msg	*m;
	size_t		 n;
};

/* The captured zebras: file name and the dialect it speaks. */
struct vec_release {
	const char	*file;
	const char	*dialect;	/* what detection ends on */
	const char	*detected;	/* what it says before the refinement */
	int		 other_first;	/* detection's first HELLO is the
					   capture's hello_other (refused) */
};
extern const struct vec_release vec_releases[];
extern const size_t vec_nreleases;

/*
 * Load tests/unit/vectors/NAME (found through $top_srcdir, else the
 * current directory); fails the test on any malformed line.
 */
void vec_load(const char *name, struct vec_file *vf);
void vec_free(struct vec_file *vf);
/*
 * The first message of direction dir labelled label,
 * searching from index *from (updated past it); NULL when none.
 */
const struct vec_msg *vec_next(const struct vec_file *vf, char dir,
    const char *label, size_t *from);

#endif
