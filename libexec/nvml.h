/* nvml.h: the few NVML declarations hafd-nvml and the test suite's fake
 * library need, written from NVIDIA's "NVML API Reference Guide" (vR590,
 * docs.nvidia.com/deploy/nvml-api), so that hafd builds without NVIDIA's
 * headers and runs without the driver: the library is opened with dlopen
 * at run time. Only what is used is here; values and layouts are the
 * documented ones, which NVML keeps stable across versions (new behaviour
 * comes as new _vN names).
 */
#ifndef HAFD_NVML_H
#define HAFD_NVML_H

typedef int nvmlReturn_t;                       /* enum nvmlReturn_t */
typedef struct nvmlDevice_st *nvmlDevice_t;

/* nvmlReturn_t values used (the reference's "Error reporting"). */
#define NVML_SUCCESS 0
#define NVML_ERROR_UNINITIALIZED 1
#define NVML_ERROR_INVALID_ARGUMENT 2
#define NVML_ERROR_NOT_SUPPORTED 3
#define NVML_ERROR_NO_PERMISSION 4
#define NVML_ERROR_DRIVER_NOT_LOADED 9
#define NVML_ERROR_LIBRARY_NOT_FOUND 12
#define NVML_ERROR_FUNCTION_NOT_FOUND 13
#define NVML_ERROR_GPU_IS_LOST 15               /* fallen off the bus, or inaccessible */
#define NVML_ERROR_RESET_REQUIRED 16            /* needs a reset before it can be used */
#define NVML_ERROR_UNKNOWN 999

#define NVML_TEMPERATURE_GPU 0                  /* nvmlTemperatureSensors_t */
#define NVML_FEATURE_ENABLED 1                  /* nvmlEnableState_t */
#define NVML_PAGE_RETIREMENT_CAUSE_DOUBLE_BIT_ECC_ERROR 1

/* nvmlPciInfo_t, as nvmlDeviceGetPciInfo_v3 fills it. */
struct nvml_pci_info {
	char busIdLegacy[16];
	unsigned int domain;
	unsigned int bus;
	unsigned int device;
	unsigned int pciDeviceId;
	unsigned int pciSubSystemId;
	char busId[32];
};

/* The functions, by the names the library exports (nvml.h maps the plain
 * names to these versions). */
typedef nvmlReturn_t nvml_init_fn(void);                                /* nvmlInit_v2 */
typedef nvmlReturn_t nvml_shutdown_fn(void);                            /* nvmlShutdown */
typedef const char *nvml_error_string_fn(nvmlReturn_t r);               /* nvmlErrorString */
typedef nvmlReturn_t nvml_count_fn(unsigned int *count);                /* nvmlDeviceGetCount_v2 */
typedef nvmlReturn_t nvml_handle_fn(unsigned int index, nvmlDevice_t *device);
									/* nvmlDeviceGetHandleByIndex_v2 */
typedef nvmlReturn_t nvml_pci_fn(nvmlDevice_t device, struct nvml_pci_info *pci);
									/* nvmlDeviceGetPciInfo_v3 */
typedef nvmlReturn_t nvml_temp_fn(nvmlDevice_t device, int sensor, unsigned int *temp);
									/* nvmlDeviceGetTemperature */
typedef nvmlReturn_t nvml_remap_fn(nvmlDevice_t device, unsigned int *corr_rows,
				   unsigned int *unc_rows, unsigned int *is_pending,
				   unsigned int *failure_occurred);
									/* nvmlDeviceGetRemappedRows
									 * (Ampere and newer) */
typedef nvmlReturn_t nvml_retired_pending_fn(nvmlDevice_t device, int *is_pending);
									/* nvmlDeviceGetRetiredPagesPendingStatus
									 * (older GPUs) */

#endif
