import gdal from 'gdal-async';

/**
 * gdal-async, configured once for cityforge before any CRS is made: coordinates in the traditional
 * GIS order (x = easting / longitude, y = northing / latitude) for every CRS, whatever its
 * authority's axis order. Every module of ingest imports GDAL from here.
 */
gdal.config.set('OSR_DEFAULT_AXIS_MAPPING_STRATEGY', 'TRADITIONAL_GIS_ORDER');

export default gdal;
