export { VolumeService, type VolumeServiceOptions, type CreateVolumeRequest } from './volume-service.js';
export { VOLUME_LIST_FILTERS, VOLUME_PRUNE_FILTERS } from './volume-filters.js';
export { LABEL_ANONYMOUS_VOLUME, type Volume, type VolumeRecord, type VolumeDriver } from './types.js';
export { validateVolumeName, anonymousVolumeName } from './names.js';
