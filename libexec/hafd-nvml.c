/* hafd-nvml: one NVML query for hafd's type = gpu check; prints one line
 * (gpu.h) and exits.
 *
 *   hafd-nvml [LIBRARY]     LIBRARY defaults to libnvidia-ml.so.1
 *
 * Why a program of its own rather than hafd re-executed in a hidden mode:
 * the driver's library (its threads, its allocations, its bugs) is never
 * mapped into hafd; the helper links nothing of hafd but the answer's
 * format (src/gpu.c), so it starts in a millisecond; and an operator can
 * run it by hand to see what hafd sees. An NVML call can hang inside the
 * driver (uninterruptible sleep, "D" in ps): that is why it runs in a
 * process at all, with hafd as its watchdog (check_gpu.c), never in hafd.
 *
 * Exit 0 with "nvml 1 COUNT STATE[@PCI]..." when NVML answered, even about
 * lost GPUs; exit 1 with "error WHY" when it could not be asked.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpu.h"
#include "nvml.h"

#define DEFAULT_LIBRARY "libnvidia-ml.so.1"

struct nvml {
	nvml_init_fn *init;
	nvml_shutdown_fn *shutdown;
	nvml_error_string_fn *error_string;
	nvml_count_fn *count;
	nvml_handle_fn *handle;
	nvml_pci_fn *pci;
	nvml_temp_fn *temp;                     /* optional */
	nvml_remap_fn *remap;                   /* optional: Ampere and newer */
	nvml_retired_pending_fn *retired;       /* optional: older GPUs */
};

static void fail(const char *what, const char *why)
{
	printf("error %s: %s\n", what, why);
	exit(1);
}

static const char *why(const struct nvml *n, nvmlReturn_t rc)
{
	static char buf[80];
	const char *s = n->error_string ? n->error_string(rc) : NULL;

	snprintf(buf, sizeof(buf), "%s (NVML error %d)", s ? s : "?", rc);
	return buf;
}

/* A function the library must have. */
static void *need(void *lib, const char *name)
{
	void *f = dlsym(lib, name);

	if (!f)
		fail(name, "not in the library (NVML too old?)");
	return f;
}

/* What an error on a GPU makes it: lost, or an error the GPU needs a
 * reset for; any other is not a verdict on the GPU. */
static int bad_state(nvmlReturn_t rc, enum gpu_dev_state *st)
{
	if (rc == NVML_ERROR_GPU_IS_LOST)
		*st = GPU_DEV_LOST;
	else if (rc == NVML_ERROR_RESET_REQUIRED)
		*st = GPU_DEV_ERROR;
	else
		return 0;
	return 1;
}

static void query(const struct nvml *n, unsigned i, enum gpu_dev_state *st, struct gpu_pci *pci)
{
	struct nvml_pci_info info;
	unsigned corr, unc, pending, failed, temp;
	nvmlDevice_t d;
	nvmlReturn_t rc;

	*st = GPU_DEV_OK;
	rc = n->handle(i, &d);
	if (rc != NVML_SUCCESS) {
		if (!bad_state(rc, st))
			*st = GPU_DEV_ERROR;    /* no handle: nothing can be asked of it */
		return;
	}
	memset(&info, 0, sizeof(info));
	rc = n->pci(d, &info);
	if (rc == NVML_SUCCESS && info.bus <= 0xff && info.device <= 0x1f)
		*pci = (struct gpu_pci){ .domain = info.domain, .bus = (uint8_t)info.bus,
					 .dev = (uint8_t)info.device, .known = true };
	else if (bad_state(rc, st))
		return;
	/* A cheap call that reaches the GPU: a lost one says so here. */
	if (n->temp && bad_state(n->temp(d, NVML_TEMPERATURE_GPU, &temp), st))
		return;
	rc = n->remap ? n->remap(d, &corr, &unc, &pending, &failed) : NVML_ERROR_FUNCTION_NOT_FOUND;
	if (rc == NVML_SUCCESS) {
		if (failed)
			*st = GPU_DEV_FAILED;
		else if (pending)
			*st = GPU_DEV_PENDING;
		return;
	}
	if (bad_state(rc, st))
		return;
	if (n->retired) {       /* before Ampere: retired pages pending a reset */
		int on = 0;

		rc = n->retired(d, &on);
		if (rc == NVML_SUCCESS && on == NVML_FEATURE_ENABLED)
			*st = GPU_DEV_PENDING;
		else
			bad_state(rc, st);
	}
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : DEFAULT_LIBRARY;
	struct gpu_answer a = { 0 };
	struct nvml n = { 0 };
	char line[GPU_ANSWER_MAX];
	int len;
	unsigned count = 0;
	nvmlReturn_t rc;
	void *lib;

	if (argc > 2 || (argc > 1 && argv[1][0] == '-')) {
		fprintf(stderr, "usage: %s [LIBRARY]\n", argv[0]);
		return 2;
	}
	lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!lib)
		fail(path, dlerror());
	n.init = (nvml_init_fn *)need(lib, "nvmlInit_v2");
	n.shutdown = (nvml_shutdown_fn *)need(lib, "nvmlShutdown");
	n.error_string = (nvml_error_string_fn *)dlsym(lib, "nvmlErrorString");
	n.count = (nvml_count_fn *)need(lib, "nvmlDeviceGetCount_v2");
	n.handle = (nvml_handle_fn *)need(lib, "nvmlDeviceGetHandleByIndex_v2");
	n.pci = (nvml_pci_fn *)need(lib, "nvmlDeviceGetPciInfo_v3");
	n.temp = (nvml_temp_fn *)dlsym(lib, "nvmlDeviceGetTemperature");
	n.remap = (nvml_remap_fn *)dlsym(lib, "nvmlDeviceGetRemappedRows");
	n.retired = (nvml_retired_pending_fn *)dlsym(lib, "nvmlDeviceGetRetiredPagesPendingStatus");
	rc = n.init();
	if (rc != NVML_SUCCESS)
		fail("nvmlInit_v2", why(&n, rc));
	rc = n.count(&count);
	if (rc != NVML_SUCCESS)
		fail("nvmlDeviceGetCount_v2", why(&n, rc));
	a.count = count > GPU_MAX ? GPU_MAX : (int)count;
	for (int i = 0; i < a.count; i++)
		query(&n, (unsigned)i, &a.st[i], &a.pci[i]);
	n.shutdown();
	len = gpu_answer_format(&a, line, sizeof(line));
	/* Never a line cut short: hafd would read other GPUs than NVML has. */
	if (len < 0 || (size_t)len >= sizeof(line))
		fail("answer", "longer than hafd reads");
	printf("%s\n", line);
	return 0;
}
