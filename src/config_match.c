/* config_match.c: which sections of a new configuration continue which
 * sections of the running one, by name (see config.h). Every reload path
 * (routers, checks, notify queues) reads this one answer instead of
 * pairing sections by hand. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* One kind of section, seen through these: its count, the name of entry i,
 * and whether old entry i can carry on as new entry k. */
struct kind {
	size_t (*count)(const struct hafd_config *cfg);
	const char *(*name)(const struct hafd_config *cfg, size_t i);
	bool (*same)(const struct hafd_config *o, size_t i, const struct hafd_config *n, size_t k);
};

static size_t inst_count(const struct hafd_config *cfg)
{
	return cfg->n_instances;
}

static const char *inst_name(const struct hafd_config *cfg, size_t i)
{
	return cfg->instances[i].name;
}

static bool inst_same(const struct hafd_config *o, size_t i, const struct hafd_config *n, size_t k)
{
	return config_instance_compatible(&o->instances[i], &n->instances[k]);
}

static size_t check_count(const struct hafd_config *cfg)
{
	return cfg->n_checks;
}

static const char *check_name(const struct hafd_config *cfg, size_t i)
{
	return cfg->checks[i].name;
}

static bool check_same(const struct hafd_config *o, size_t i, const struct hafd_config *n,
		       size_t k)
{
	return config_check_same_probe(&o->checks[i], &n->checks[k]);
}

static size_t group_count(const struct hafd_config *cfg)
{
	return cfg->n_groups;
}

static const char *group_name(const struct hafd_config *cfg, size_t i)
{
	return cfg->groups[i].name;
}

/* A group is the same when it has the same members, by name, in order: a
 * member's index may move while the group stays what it was. */
static bool group_same(const struct hafd_config *o, size_t i, const struct hafd_config *n,
		       size_t k)
{
	const struct cfg_group *a = &o->groups[i], *b = &n->groups[k];

	if (a->n_instances != b->n_instances)
		return false;
	for (size_t m = 0; m < a->n_instances; m++)
		if (strcmp(o->instances[a->instances[m]].name, n->instances[b->instances[m]].name))
			return false;
	return true;
}

static const struct kind kinds[] = {
	{ inst_count, inst_name, inst_same },
	{ check_count, check_name, check_same },
	{ group_count, group_name, group_same },
};

/* Names are unique within a kind (config.c refuses a section defined
 * twice), so the first match is the only one. A few hundred sections at
 * most: the quadratic search costs nothing next to a reload. */
static int match_kind(const struct kind *kd, const struct hafd_config *o,
		      const struct hafd_config *n, struct config_match *m)
{
	size_t no = o ? kd->count(o) : 0, nn = kd->count(n);
	bool *seen = calloc(no + 1, sizeof(*seen));

	m->n_new = nn;
	m->n = 0;
	m->pairs = calloc(nn + no + 1, sizeof(*m->pairs));
	if (!seen || !m->pairs) {
		free(seen);
		free(m->pairs);
		m->pairs = NULL;
		errno = ENOMEM;
		return -1;
	}
	for (size_t k = 0; k < nn; k++) {
		struct config_pair *p = &m->pairs[m->n++];

		*p = (struct config_pair){ .fate = CONFIG_ADDED, .new_idx = k };
		for (size_t i = 0; i < no; i++) {
			if (seen[i] || strcmp(kd->name(o, i), kd->name(n, k)))
				continue;
			seen[i] = true;
			p->old_idx = i;
			p->fate = kd->same(o, i, n, k) ? CONFIG_KEPT : CONFIG_CHANGED;
			break;
		}
	}
	for (size_t i = 0; i < no; i++)
		if (!seen[i])
			m->pairs[m->n++] = (struct config_pair){ .fate = CONFIG_REMOVED, .old_idx = i };
	free(seen);
	return 0;
}

int config_match(const struct hafd_config *old, const struct hafd_config *new,
		 struct config_diff *out)
{
	struct config_match *m[] = { &out->instances, &out->checks, &out->groups };

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (match_kind(&kinds[i], old, new, m[i]) < 0) {
			config_match_free(out);
			errno = ENOMEM;
			return -1;
		}
	return 0;
}

void config_match_free(struct config_diff *d)
{
	free(d->instances.pairs);
	free(d->checks.pairs);
	free(d->groups.pairs);
	memset(d, 0, sizeof(*d));
}

const struct config_pair *config_match_old(const struct config_match *m, size_t new_idx)
{
	const struct config_pair *p = new_idx < m->n_new ? &m->pairs[new_idx] : NULL;

	return p && p->fate != CONFIG_ADDED ? p : NULL;
}
