/** Stylesheets imported for their side effect (Vite bundles them). */
declare module '*.css';

/** A file Vite emits as an asset: its URL. */
declare module '*?worker&url' {
  const url: string;
  export default url;
}
