/* fake-nvml: a stand-in for libnvidia-ml.so.1 for the tests of type = gpu,
 * built as tests/tools/libfake-nvml.so and given to a check with
 * `nvml_library = PATH`.
 *
 * It implements the NVML functions hafd-nvml calls, with the signatures,
 * return codes and behaviour of NVIDIA's "NVML API Reference Guide" (vR590,
 * docs.nvidia.com/deploy/nvml-api; declarations in libexec/nvml.h), and
 * reproduces the states captured with nvidia-smi in
 * ../shared/golden/nvidia-smi/ (NVIDIA H100 80GB HBM3, driver 580.159.04,
 * one GPU at 00000000:00:06.0, healthy, remapped_rows pending No, failure
 * No): GPU i is at 0000:00:(06 + i), from GPU 26 on at 0000:01:(i - 26).
 * A lost GPU answers
 * NVML_ERROR_GPU_IS_LOST from nvmlDeviceGetHandleByIndex_v2, as the
 * reference documents for a GPU that "has fallen off the bus or has
 * otherwise become inaccessible"; a pending or failed row remap is
 * nvmlDeviceGetRemappedRows's isPending / failureOccurred.
 *
 * What it answers is read at each nvmlInit_v2 from fake-nvml.state in the
 * directory of the library file itself (so each lab node's copy has its
 * own), whitespace-separated words:
 *   gpus N         N GPUs (default 1, at most 32, hafd's GPU_MAX)
 *   domain D       every GPU in PCI domain D (hex; default 0): Hyper-V
 *                  gives each GPU a domain of its own, Intel VMD domains
 *                  have 5 digits (10000), so answers get long
 *   lost I         GPU I is lost
 *   pending I      GPU I has a row remap pending
 *   failed I       GPU I had a row remap failure
 *   noinit E       nvmlInit_v2 returns E (9: NVML_ERROR_DRIVER_NOT_LOADED)
 *   hang           nvmlDeviceGetCount_v2 never returns, and SIGTERM is blocked:
 *                  a call stuck in the driver's uninterruptible sleep
 *                  takes no signal; SIGKILL still ends the fake (a real
 *                  D-state process outlives it too, which the unit test
 *                  test_check_run covers)
 * Each nvmlInit_v2 appends "init PID" to fake-nvml.log in that directory,
 * so a test sees how many queries ran and whether two ever overlapped.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nvml.h"

#define MAX_GPUS 32
#define BAD_HANDLE_BASE 0x1000

static struct {
	unsigned gpus;
	int lost[MAX_GPUS], pending[MAX_GPUS], failed[MAX_GPUS];
	int noinit;
	int hang;
	unsigned domain;
} st;

/* DIR/NAME for NAME beside this library. */
static void beside(const char *name, char *out, size_t len)
{
	Dl_info info;
	const char *slash;

	if (!dladdr((void *)beside, &info) || !info.dli_fname ||
	    !(slash = strrchr(info.dli_fname, '/'))) {
		snprintf(out, len, "%s", name);
		return;
	}
	snprintf(out, len, "%.*s/%s", (int)(slash - info.dli_fname), info.dli_fname, name);
}

static void state_read(void)
{
	char path[PATH_MAX], word[32];
	unsigned v;
	FILE *f;

	memset(&st, 0, sizeof(st));
	st.gpus = 1;
	beside("fake-nvml.state", path, sizeof(path));
	f = fopen(path, "r");
	if (!f)
		return;
	while (fscanf(f, "%31s", word) == 1) {
		if (!strcmp(word, "hang")) {
			st.hang = 1;
			continue;
		}
		if (!strcmp(word, "domain")) {
			if (fscanf(f, "%x", &st.domain) != 1)
				break;
			continue;
		}
		if (fscanf(f, "%u", &v) != 1)
			break;
		if (!strcmp(word, "gpus"))
			st.gpus = v > MAX_GPUS ? MAX_GPUS : v;
		else if (!strcmp(word, "noinit"))
			st.noinit = (int)v;
		else if (v < MAX_GPUS && !strcmp(word, "lost"))
			st.lost[v] = 1;
		else if (v < MAX_GPUS && !strcmp(word, "pending"))
			st.pending[v] = 1;
		else if (v < MAX_GPUS && !strcmp(word, "failed"))
			st.failed[v] = 1;
	}
	fclose(f);
}

static void log_init(void)
{
	char path[PATH_MAX];
	FILE *f;

	beside("fake-nvml.log", path, sizeof(path));
	f = fopen(path, "a");
	if (f) {
		fprintf(f, "init %ld\n", (long)getpid());
		fclose(f);
	}
}

/* Handles are small integers in disguise; index i is BAD_HANDLE_BASE + i. */
static int index_of(nvmlDevice_t d)
{
	long i = (long)(intptr_t)d - BAD_HANDLE_BASE;

	return i >= 0 && i < (long)st.gpus ? (int)i : -1;
}

nvmlReturn_t nvmlInit_v2(void);
nvmlReturn_t nvmlShutdown(void);
const char *nvmlErrorString(nvmlReturn_t r);
nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *count);
nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device);
nvmlReturn_t nvmlDeviceGetPciInfo_v3(nvmlDevice_t device, struct nvml_pci_info *pci);
nvmlReturn_t nvmlDeviceGetTemperature(nvmlDevice_t device, int sensor, unsigned int *temp);
nvmlReturn_t nvmlDeviceGetRemappedRows(nvmlDevice_t device, unsigned int *corr,
				       unsigned int *unc, unsigned int *pending,
				       unsigned int *failed);

nvmlReturn_t nvmlInit_v2(void)
{
	state_read();
	log_init();
	return st.noinit ? st.noinit : NVML_SUCCESS;
}

nvmlReturn_t nvmlShutdown(void)
{
	return NVML_SUCCESS;
}

const char *nvmlErrorString(nvmlReturn_t r)
{
	switch (r) {
	case NVML_SUCCESS: return "Success";
	case NVML_ERROR_DRIVER_NOT_LOADED: return "Driver Not Loaded";
	case NVML_ERROR_GPU_IS_LOST: return "GPU is lost";
	case NVML_ERROR_INVALID_ARGUMENT: return "Invalid Argument";
	default: return "Unknown Error";
	}
}

nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *count)
{
	/* A call stuck in the driver: it never returns by itself. */
	if (st.hang) {
		sigset_t term;

		sigemptyset(&term);
		sigaddset(&term, SIGTERM);
		sigprocmask(SIG_BLOCK, &term, NULL);
		for (;;)
			pause();
	}
	*count = st.gpus;
	return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device)
{
	if (index >= st.gpus)
		return NVML_ERROR_INVALID_ARGUMENT;
	if (st.lost[index])
		return NVML_ERROR_GPU_IS_LOST;
	*device = (nvmlDevice_t)(intptr_t)(BAD_HANDLE_BASE + index);
	return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetPciInfo_v3(nvmlDevice_t device, struct nvml_pci_info *pci)
{
	int i = index_of(device);

	if (i < 0)
		return NVML_ERROR_INVALID_ARGUMENT;
	memset(pci, 0, sizeof(*pci));
	pci->domain = st.domain;
	pci->bus = i < 26 ? 0 : 1;              /* a device number is 5 bits */
	pci->device = i < 26 ? 6 + (unsigned)i : (unsigned)i - 26;
	pci->pciDeviceId = 0x233010DE;          /* the capture's Device Id */
	pci->pciSubSystemId = 0x16C110DE;
	snprintf(pci->busId, sizeof(pci->busId), "%08X:%02X:%02X.0", pci->domain, pci->bus,
		 pci->device);
	snprintf(pci->busIdLegacy, sizeof(pci->busIdLegacy), "%04X:%02X:%02X.0", pci->domain,
		 pci->bus, pci->device);
	return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetTemperature(nvmlDevice_t device, int sensor, unsigned int *temp)
{
	if (index_of(device) < 0 || sensor != NVML_TEMPERATURE_GPU)
		return NVML_ERROR_INVALID_ARGUMENT;
	*temp = 36;                             /* the capture's 36C */
	return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetRemappedRows(nvmlDevice_t device, unsigned int *corr,
				       unsigned int *unc, unsigned int *pending,
				       unsigned int *failed)
{
	int i = index_of(device);

	if (i < 0)
		return NVML_ERROR_INVALID_ARGUMENT;
	*corr = 0;
	*unc = st.pending[i] || st.failed[i];
	*pending = (unsigned)st.pending[i];
	*failed = (unsigned)st.failed[i];
	return NVML_SUCCESS;
}
