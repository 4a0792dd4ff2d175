import { type ComponentType, lazy } from "react";

export type Preloadable<P extends object> = ComponentType<P> & {
  /** Starts loading the component's chunk (once); resolves when it can render. */
  preload(): Promise<ComponentType<P>>;
};

/**
 * A code-split component, like React.lazy, that renders at once when its chunk has already
 * arrived. React.lazy suspends on a component's first render even then, and React holds back
 * the content that replaces a Suspense fallback for up to 300 ms (it throttles fallback reveals),
 * so a preloaded page or chart would still wait that long. Until the chunk arrives it suspends
 * as React.lazy does, so the nearest Suspense boundary shows its fallback.
 */
export function preloadable<P extends object>(load: () => Promise<ComponentType<P>>): Preloadable<P> {
  let loaded: ComponentType<P> | undefined;
  let loading: Promise<ComponentType<P>> | undefined;
  const preload = () => {
    loading ??= load().then(
      (component) => {
        loaded = component;
        return component;
      },
      (error: unknown) => {
        // A failed chunk (a deploy replaced it, the network dropped) may be asked for again.
        loading = undefined;
        throw error;
      },
    );
    return loading;
  };
  const Lazy = lazy(() => preload().then((component) => ({ default: component })));
  // biome-ignore lint/correctness/noComponentHookFactories: made once per chunk at module level, like React.lazy, so its identity never changes
  function PreloadableComponent(props: P) {
    const Component = (loaded ?? Lazy) as ComponentType<P>;
    return <Component {...props} />;
  }
  return Object.assign(PreloadableComponent, { preload });
}
