// Kept so existing imports keep working: the one reveal is the state layer's.
export { reveal } from '../../state/index.ts';
