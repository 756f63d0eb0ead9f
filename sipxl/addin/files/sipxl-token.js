// Keeps the authority's token (the "custom" auth provider) for getAuth in auth.js.
document.getElementById("sipxl-token").value = localStorage.getItem("sipxl-token") || "";
document.getElementById("sipxl-token-save").addEventListener("click", () => {
  localStorage.setItem("sipxl-token", document.getElementById("sipxl-token").value.trim());
});
