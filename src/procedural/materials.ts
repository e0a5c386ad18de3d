/** PBR look of an S3DB `building:material` / `roof:material` value: a default colour and surface. */
export interface SurfaceLook {
  colour: string;
  roughness: number;
  metallic: number;
}

/**
 * The small material table: S3DB material values → default colour (used when no colour is tagged),
 * roughness and metalness. Unknown values look like plaster.
 */
export const MATERIAL_LOOKS: Readonly<Record<string, SurfaceLook>> = {
  plaster: { colour: '#e3ddd3', roughness: 0.9, metallic: 0 },
  concrete: { colour: '#b7b3ab', roughness: 0.95, metallic: 0 },
  brick: { colour: '#a0553b', roughness: 0.9, metallic: 0 },
  stone: { colour: '#c2b8a3', roughness: 0.95, metallic: 0 },
  sandstone: { colour: '#d4b98c', roughness: 0.95, metallic: 0 },
  wood: { colour: '#9a7651', roughness: 0.85, metallic: 0 },
  glass: { colour: '#8fb1c8', roughness: 0.08, metallic: 0.2 },
  metal: { colour: '#a9adb2', roughness: 0.35, metallic: 0.8 },
  copper: { colour: '#6f9f8c', roughness: 0.5, metallic: 0.6 },
  steel: { colour: '#9aa0a6', roughness: 0.35, metallic: 0.85 },
  roof_tiles: { colour: '#a4533a', roughness: 0.8, metallic: 0 },
  tile: { colour: '#a4533a', roughness: 0.8, metallic: 0 },
  slate: { colour: '#5d636b', roughness: 0.7, metallic: 0 },
  tar_paper: { colour: '#4b4b4b', roughness: 0.95, metallic: 0 },
  asphalt: { colour: '#4b4b4b', roughness: 0.95, metallic: 0 },
  gravel: { colour: '#9d968c', roughness: 1, metallic: 0 },
  grass: { colour: '#6f8f4e', roughness: 1, metallic: 0 },
  thatch: { colour: '#b89a5e', roughness: 1, metallic: 0 },
  eternit: { colour: '#8d9194', roughness: 0.85, metallic: 0 },
};

/** The look for a material value (case and spaces ignored), or null when none is tagged. */
export function materialLook(material: string | null): SurfaceLook | null {
  if (!material) return null;
  return MATERIAL_LOOKS[material.trim().toLowerCase().replace(/[\s-]+/g, '_')] ?? null;
}
