/** Linux reports /proc/stat and per-process CPU times in USER_HZ ticks, 100 on every ABI the kernel exposes. */
export const USER_HZ = 100;

/** /proc/diskstats counts 512-byte sectors whatever the device's own sector size. */
export const SECTOR_BYTES = 512;
