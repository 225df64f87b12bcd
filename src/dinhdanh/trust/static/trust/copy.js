// "Sao chép": copies the text of the element a button names (data-copy="id"); the page works without it.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  const source = button && document.getElementById(button.dataset.copy);
  if (!source || !navigator.clipboard) return;
  navigator.clipboard.writeText(source.value || source.textContent).then(() => {
    button.textContent = button.dataset.done || button.textContent;
  });
});
