export function App() {
  return <main>code2asin</main>;
}
