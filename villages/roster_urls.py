app_name = "roster"

urlpatterns = []
